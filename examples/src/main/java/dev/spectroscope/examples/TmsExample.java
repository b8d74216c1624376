package dev.spectroscope.examples;

import dev.spectroscope.agent.Run;
import dev.spectroscope.agent.RunSpec;
import dev.spectroscope.agent.SpectroscopeAgent;
import dev.spectroscope.agent.probe.InJobProber;
import dev.spectroscope.checkpoint.ProbeData;
import dev.spectroscope.events.ParameterBlock;
import dev.spectroscope.events.ProbeConfig;
import dev.spectroscope.events.RunStatus;
import dev.spectroscope.slt.reference.ToyModelOfSuperposition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The toy model of superposition (Elhage et al. 2022) in SameDiff: x ∈ R^F with one feature on at a time
 * (magnitude U[0,1]), h = W x with W ∈ R^(H×F), x̂ = ReLU(Wᵀ h + b), loss = mean over the batch of ‖x − x̂‖².
 * With F = 6, H = 2, plain SGD at lr 0.02 and W ~ N(0, 0.01²), the loss sits on a plateau near 1/3 and then
 * drops as columns of W grow and arrange into a polygon (SCIENCE.md §5).
 *
 * <p>Concept probes: {@code feature-i}, the reconstruction loss of the input with only feature i on (at 1).
 * The metrics carry {@code represented_features}, the number of columns of W with norm above 0.5.
 */
public final class TmsExample {

    public static final int FEATURES = 6;
    public static final int HIDDEN = 2;
    public static final int SAMPLES = 1000;
    public static final int BATCH = 100;
    public static final double LEARNING_RATE = 0.02;
    public static final double INIT_STD = 0.01;

    private TmsExample() {
    }

    public static TrainResult train(SpectroscopeAgent agent, TrainSettings settings) {
        long started = System.nanoTime();
        SplittableRandom random = new SplittableRandom(settings.seed());
        float[] data = sample(random);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, FEATURES);
        float[] init = new float[HIDDEN * FEATURES];
        for (int i = 0; i < init.length; i++) {
            init[i] = (float) (INIT_STD * random.nextGaussian());
        }
        SDVariable w = sd.var("W", Nd4j.createFromArray(init).reshape(HIDDEN, FEATURES));
        SDVariable b = sd.var("b", Nd4j.zeros(DataType.FLOAT, 1, FEATURES));
        SDVariable h = x.mmul("h", w, MMulTranspose.builder().transposeB(true).build());
        SDVariable reconstruction = sd.nn.relu("xhat", h.mmul(w).add(b), 0);
        SDVariable diff = reconstruction.sub(x);
        SDVariable loss = diff.mul(diff).sum(1).mean("loss");
        sd.setLossVariables(loss);
        quietly(sd::createGradFunction);

        List<String> probes = new ArrayList<>();
        for (int f = 0; f < FEATURES; f++) {
            probes.add("feature-" + f);
        }
        ProbeConfig probeConfig = ProbeConfig.newBuilder().setAlgorithm("rmsprop-sgld").setEpsilon(1e-4).setGamma(1)
                .setNBeta(SAMPLES / Math.log(SAMPLES)).setLadder(List.of(1.0, 2.0, 4.0)).setChains(4)
                .setDraws(1000).setBurnIn(1000).setBatchSize(BATCH).setSeed(settings.seed()).build();
        // Without an agent the job trains the same and reports nothing: the baseline of the overhead benchmark.
        Run run = agent == null ? null : agent.startRun(RunSpec.named("tms").runId(settings.runId())
                .model("tms", Map.of("features", "" + FEATURES, "hidden", "" + HIDDEN, "input", "one-hot-uniform"),
                        (long) HIDDEN * FEATURES + FEATURES)
                .trainingSetSize(SAMPLES)
                .hyperparameters(Map.of("optimizer", "sgd", "lr", "" + LEARNING_RATE, "batch", "" + BATCH,
                        "init_std", "" + INIT_STD, "seed", "" + settings.seed(), "steps", "" + settings.steps()))
                .probe(probeConfig)
                .conceptProbes(probes)
                .probeData(ProbeData.ofInputs(SAMPLES, FEATURES, data)));

        // In-job probing samples around the current weights over a held-out draw of the same distribution.
        InJobProber prober = run == null || settings.probeEvery() == 0 ? null : new InJobProber(run, probeConfig, 1);
        float[] heldOut = prober == null ? null : sample(new SplittableRandom(settings.seed() + 1_000_003L));

        int[] order = new int[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            order[i] = i;
        }
        float[] batch = new float[BATCH * FEATURES];
        int cursor = SAMPLES;
        double lastLoss = Double.NaN;
        List<ParameterBlock> layout = List.of(
                ParameterBlock.newBuilder().setName("W").setShape(List.of(HIDDEN, FEATURES)).setOffset(0)
                        .setLength(HIDDEN * FEATURES).build(),
                ParameterBlock.newBuilder().setName("b").setShape(List.of(FEATURES)).setOffset(HIDDEN * FEATURES)
                        .setLength(FEATURES).build());
        boolean stopped = false;
        try {
            for (int step = 0; step < settings.steps(); step++) {
                if (Thread.currentThread().isInterrupted()) {
                    stopped = true; // asked to stop (Ctrl-C in the demo): end the run as killed, not failed
                    break;
                }
                if (cursor + BATCH > SAMPLES) {
                    shuffle(order, random);
                    cursor = 0;
                }
                for (int i = 0; i < BATCH; i++) {
                    System.arraycopy(data, order[cursor + i] * FEATURES, batch, i * FEATURES, FEATURES);
                }
                cursor += BATCH;
                INDArray input = Nd4j.createFromArray(batch).reshape(BATCH, FEATURES);
                OutAndGrad result = sd.calculateGradientsAndOutputs(Map.of("x", input), List.of("loss"),
                        List.of("W", "b"));
                lastLoss = result.getOutputs().get("loss").getDouble(0);
                float[] params = run == null ? null : parameters(sd);
                if (run != null && (step % settings.logEvery() == 0 || step == settings.steps() - 1)) {
                    run.metrics(step, lastLoss, LEARNING_RATE, null,
                            Map.of("represented_features", (double) representedFeatures(params)));
                }
                if (run != null && settings.checkpointEvery() > 0 && (step + 1) % settings.checkpointEvery() == 0) {
                    run.checkpoint(step, params, layout, lastLoss);
                    double[] perFeature = featureLosses(params);
                    for (int f = 0; f < FEATURES; f++) {
                        run.concept(step, probes.get(f), perFeature[f]);
                    }
                }
                if (prober != null && (step + 1) % settings.probeEvery() == 0) {
                    float[] now = params == null ? parameters(sd) : params;
                    double[] center = new double[now.length];
                    for (int i = 0; i < now.length; i++) {
                        center[i] = now[i];
                    }
                    prober.probe(step, new ToyModelOfSuperposition(FEATURES, HIDDEN, heldOut, center));
                }
                sd.getArrForVarName("W").subi(result.getGradients().get("W").mul(LEARNING_RATE));
                sd.getArrForVarName("b").subi(result.getGradients().get("b").mul(LEARNING_RATE));
            }
            if (prober != null) {
                // The probes already handed over go out before RunEnded.
                awaitProbes(prober, stopped);
            }
            if (run != null) {
                run.finish(stopped ? RunStatus.KILLED : RunStatus.FINISHED);
            }
        } catch (RuntimeException e) {
            if (run != null) {
                run.finish(RunStatus.FAILED);
            }
            throw e;
        } finally {
            if (prober != null) {
                prober.close();
            }
        }
        return new TrainResult(run == null ? "" : run.id(), settings.steps(), lastLoss, (System.nanoTime() - started) / 1e9);
    }

    private static void awaitProbes(InJobProber prober, boolean stopped) {
        try {
            prober.awaitIdle(stopped ? 0 : 10, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SAMPLES one-hot-like inputs: one feature per sample, uniform in [0, 1). */
    private static float[] sample(SplittableRandom random) {
        float[] data = new float[SAMPLES * FEATURES];
        for (int i = 0; i < SAMPLES; i++) {
            data[i * FEATURES + random.nextInt(FEATURES)] = (float) random.nextDouble();
        }
        return data;
    }

    /** W (H×F, row-major) then b (F). */
    static float[] parameters(SameDiff sd) {
        float[] w = sd.getArrForVarName("W").dup('c').reshape(HIDDEN * FEATURES).toFloatVector();
        float[] b = sd.getArrForVarName("b").reshape(FEATURES).toFloatVector();
        float[] out = new float[w.length + b.length];
        System.arraycopy(w, 0, out, 0, w.length);
        System.arraycopy(b, 0, out, w.length, b.length);
        return out;
    }

    /** Columns of W with norm above 0.5: the features the model represents (SCIENCE.md §5). */
    public static int representedFeatures(float[] params) {
        int k = 0;
        for (int f = 0; f < FEATURES; f++) {
            double norm = 0;
            for (int r = 0; r < HIDDEN; r++) {
                double v = params[r * FEATURES + f];
                norm += v * v;
            }
            if (Math.sqrt(norm) > 0.5) {
                k++;
            }
        }
        return k;
    }

    /** ‖e_i − ReLU(Wᵀ W e_i + b)‖² for each feature i. */
    public static double[] featureLosses(float[] params) {
        double[] losses = new double[FEATURES];
        for (int i = 0; i < FEATURES; i++) {
            double loss = 0;
            for (int j = 0; j < FEATURES; j++) {
                double dot = 0;
                for (int r = 0; r < HIDDEN; r++) {
                    dot += params[r * FEATURES + j] * params[r * FEATURES + i];
                }
                double out = Math.max(0, dot + params[HIDDEN * FEATURES + j]);
                double target = i == j ? 1 : 0;
                loss += (out - target) * (out - target);
            }
            losses[i] = loss;
        }
        return losses;
    }

    /**
     * SameDiff prints a line per differentiated op to standard output while it builds the gradient graph;
     * build it once here with standard output muted, so a run's output stays readable.
     */
    private static void quietly(Runnable action) {
        java.io.PrintStream saved = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            action.run();
        } finally {
            System.setOut(saved);
        }
    }

    private static void shuffle(int[] a, SplittableRandom random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
