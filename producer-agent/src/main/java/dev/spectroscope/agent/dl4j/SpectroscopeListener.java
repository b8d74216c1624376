package dev.spectroscope.agent.dl4j;

import dev.spectroscope.agent.Run;
import dev.spectroscope.agent.probe.InJobProber;
import dev.spectroscope.events.ParameterBlock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Plugs a DL4J {@link MultiLayerNetwork} or {@link ComputationGraph} into a {@link Run}: the score every
 * {@code logEvery} iterations (0: the job logs its own metrics), and every {@code checkpointEvery} iterations the parameters (named by DL4J's
 * parameter table) and the scores of the named concept-probe data sets. What it does on the training
 * thread is copy the parameters and score the probes; everything else happens in the agent's threads.
 *
 * <pre>{@code
 * net.setListeners(new SpectroscopeListener(run, 1, 100, Map.of("carry", carryExamples)));
 * }</pre>
 *
 * <p>With {@link #probeInJob}, it also samples SGLD chains around the current weights every K iterations,
 * on a clone, in the prober's thread (needs slt-core on the classpath).
 */
public final class SpectroscopeListener extends BaseTrainingListener {

    private final Run run;
    private final int logEvery;
    private final int checkpointEvery;
    private final Map<String, DataSet> conceptProbes;
    private final List<ParameterBlock> layout = new ArrayList<>();
    private List<BlockView> views;
    private InJobProber prober;
    private int probeEvery;
    private DataSet heldOut;

    public SpectroscopeListener(Run run, int logEvery, int checkpointEvery, Map<String, DataSet> conceptProbes) {
        if (logEvery < 0 || checkpointEvery < 0) {
            throw new IllegalArgumentException("logEvery and checkpointEvery must be 0 (never) or more, were "
                    + logEvery + " and " + checkpointEvery);
        }
        this.run = run;
        this.logEvery = logEvery;
        this.checkpointEvery = checkpointEvery;
        this.conceptProbes = new LinkedHashMap<>(conceptProbes == null ? Map.of() : conceptProbes);
    }

    /**
     * Also samples SGLD chains in the job every {@code every} iterations over {@code heldOut} (see
     * {@link InJobProber}); call before training starts.
     */
    public SpectroscopeListener probeInJob(InJobProber inJobProber, int every, DataSet heldOutSet) {
        if (every < 1 || inJobProber == null || heldOutSet == null) {
            throw new IllegalArgumentException("in-job probing needs a prober, a held-out data set and every >= 1");
        }
        this.prober = inJobProber;
        this.probeEvery = every;
        this.heldOut = heldOutSet;
        return this;
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        if (prober != null && iteration > 0 && iteration % probeEvery == 0) {
            Dl4jProbing.probe(prober, model, iteration, heldOut);
        }
        if (logEvery > 0 && iteration % logEvery == 0) {
            run.metrics(iteration, model.score());
        }
        if (checkpointEvery > 0 && iteration % checkpointEvery == 0) {
            checkpoint(model, iteration);
            for (Map.Entry<String, DataSet> probe : conceptProbes.entrySet()) {
                run.concept(iteration, probe.getKey(), score(model, probe.getValue()));
            }
        }
    }

    /**
     * Parameters block by block in C order, named as in DL4J's parameter table, so that a reader needs no
     * knowledge of DL4J's own (column-major) flattening; {@code setParam(name, block)} puts them back.
     *
     * <p>This runs on the training thread. The blocks are views of the network's one flat parameter vector, so
     * the vector is copied out once and each block is read from the copy through its view's offset and strides
     * (a few microseconds for 10k parameters, where copying each block through ND4J took hundreds). The first
     * checkpoint also flattens block by block through ND4J and keeps the fast path only if both agree.
     */
    private void checkpoint(Model model, long step) {
        run.checkpoint(step, flatten(model), layout, model.score());
    }

    /** The parameters in the layout's order (the layout is recorded on the first call). */
    float[] flatten(Model model) {
        Map<String, INDArray> table = model.paramTable();
        float[] flat = null;
        if (layout.isEmpty()) {
            flat = flattenBlockByBlock(table, true);
            views = viewsOf(model.params(), table);
            if (views != null && !java.util.Arrays.equals(flat, flattenFromViews(model.params(), views, flat.length))) {
                views = null;
            }
        } else if (views != null) {
            flat = flattenFromViews(model.params(), views, (int) model.numParams());
        }
        if (flat == null) {
            flat = flattenBlockByBlock(table, false);
        }
        return flat;
    }

    /** Whether checkpoints take the one-copy path (package-private, for tests). */
    boolean copiesOnce() {
        return views != null;
    }

    private float[] flattenBlockByBlock(Map<String, INDArray> table, boolean recordLayout) {
        long total = 0;
        for (INDArray block : table.values()) {
            total += block.length();
        }
        float[] flat = new float[(int) total];
        int offset = 0;
        for (Map.Entry<String, INDArray> e : table.entrySet()) {
            float[] block = e.getValue().dup('c').castTo(DataType.FLOAT).reshape(e.getValue().length()).toFloatVector();
            System.arraycopy(block, 0, flat, offset, block.length);
            if (recordLayout) {
                List<Integer> shape = new ArrayList<>();
                for (long s : e.getValue().shape()) {
                    shape.add((int) s);
                }
                layout.add(ParameterBlock.newBuilder().setName(e.getKey()).setShape(shape).setOffset(offset)
                        .setLength(block.length).build());
            }
            offset += block.length;
        }
        return flat;
    }

    /** Where each block lives in the flat vector: its offset and strides; null when the blocks are not its views. */
    private static List<BlockView> viewsOf(INDArray all, Map<String, INDArray> table) {
        if (all == null || all.dataType() != DataType.FLOAT || !all.isVector() || all.elementWiseStride() != 1) {
            return null;
        }
        List<BlockView> views = new ArrayList<>();
        for (INDArray block : table.values()) {
            long base = block.offset() - all.offset();
            if (block.dataType() != DataType.FLOAT || base < 0 || base + block.length() > all.length()) {
                return null;
            }
            views.add(new BlockView(base, block.shape(), block.stride()));
        }
        return views;
    }

    private static float[] flattenFromViews(INDArray all, List<BlockView> views, int length) {
        float[] source = all.toFloatVector();
        float[] flat = new float[length];
        int at = 0;
        for (BlockView v : views) {
            at = v.copyInCOrder(source, flat, at);
        }
        return flat;
    }

    /** A block of the flat parameter vector, seen through its view's offset, shape and strides. */
    private record BlockView(long base, long[] shape, long[] stride) {
        int copyInCOrder(float[] source, float[] target, int at) {
            int rank = shape.length;
            if (rank == 0) {
                target[at] = source[(int) base];
                return at + 1;
            }
            long[] index = new long[rank];
            long length = 1;
            for (long s : shape) {
                length *= s;
            }
            for (long n = 0; n < length; n++) {
                long position = base;
                for (int d = 0; d < rank; d++) {
                    position += index[d] * stride[d];
                }
                target[at++] = source[(int) position];
                for (int d = rank - 1; d >= 0; d--) {
                    if (++index[d] < shape[d]) {
                        break;
                    }
                    index[d] = 0;
                }
            }
            return at;
        }
    }

    private static double score(Model model, DataSet data) {
        if (model instanceof MultiLayerNetwork net) {
            return net.score(data, false);
        }
        return ((ComputationGraph) model).score(data, false);
    }
}
