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
     */
    private void checkpoint(Model model, long step) {
        Map<String, INDArray> table = model.paramTable();
        float[] flat = new float[(int) model.numParams()];
        boolean first = layout.isEmpty();
        int offset = 0;
        for (Map.Entry<String, INDArray> e : table.entrySet()) {
            float[] block = e.getValue().dup('c').castTo(DataType.FLOAT).reshape(e.getValue().length()).toFloatVector();
            System.arraycopy(block, 0, flat, offset, block.length);
            if (first) {
                List<Integer> shape = new ArrayList<>();
                for (long s : e.getValue().shape()) {
                    shape.add((int) s);
                }
                layout.add(ParameterBlock.newBuilder().setName(e.getKey()).setShape(shape).setOffset(offset)
                        .setLength(block.length).build());
            }
            offset += block.length;
        }
        run.checkpoint(step, flat, layout, model.score());
    }

    private static double score(Model model, DataSet data) {
        if (model instanceof MultiLayerNetwork net) {
            return net.score(data, false);
        }
        return ((ComputationGraph) model).score(data, false);
    }
}
