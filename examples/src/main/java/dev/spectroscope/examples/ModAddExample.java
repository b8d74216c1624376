package dev.spectroscope.examples;

import dev.spectroscope.agent.Run;
import dev.spectroscope.agent.RunSpec;
import dev.spectroscope.agent.SpectroscopeAgent;
import dev.spectroscope.agent.dl4j.SpectroscopeListener;
import dev.spectroscope.agent.probe.InJobProber;
import dev.spectroscope.events.ProbeConfig;
import dev.spectroscope.events.RunStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Modular addition (a + b) mod p with an MLP on one-hot pairs, trained full-batch on a fraction of the
 * pairs with Adam and strong weight decay — the grokking set-up (Power et al. 2022): the training loss
 * falls early, the test accuracy much later. Test accuracy goes out as a scalar every log step; the concept
 * probes are the losses on held-out pairs with and without a wrap-around (a + b ≥ p).
 */
public final class ModAddExample {

    public static final int P = 23;
    public static final double TRAIN_FRACTION = 0.6;

    /**
     * In-job probe settings (nβ and seed are set per run): short chains, since every step of them is a DL4J
     * forward and backward pass of the whole network; the held-out pairs are the probe set.
     */
    static final ProbeConfig PROBE = ProbeConfig.newBuilder().setAlgorithm("rmsprop-sgld").setEpsilon(1e-4)
            .setGamma(100).setNBeta(1).setLadder(List.of(1.0)).setChains(2).setDraws(100).setBurnIn(100)
            .setBatchSize(64).setSeed(1).build();

    private ModAddExample() {
    }

    public static TrainResult train(SpectroscopeAgent agent, TrainSettings settings) {
        long started = System.nanoTime();
        List<int[]> pairs = new ArrayList<>();
        for (int a = 0; a < P; a++) {
            for (int b = 0; b < P; b++) {
                pairs.add(new int[] {a, b});
            }
        }
        SplittableRandom random = new SplittableRandom(settings.seed());
        for (int i = pairs.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int[] t = pairs.get(i);
            pairs.set(i, pairs.get(j));
            pairs.set(j, t);
        }
        int trainSize = (int) (pairs.size() * TRAIN_FRACTION);
        DataSet train = encode(pairs.subList(0, trainSize));
        List<int[]> test = pairs.subList(trainSize, pairs.size());
        DataSet testSet = encode(test);
        DataSet wrap = encode(test.stream().filter(p -> p[0] + p[1] >= P).toList());
        DataSet noWrap = encode(test.stream().filter(p -> p[0] + p[1] < P).toList());

        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(settings.seed())
                .dataType(DataType.FLOAT).updater(new Adam(3e-3)).l2(1e-3).list()
                .layer(new DenseLayer.Builder().nIn(2 * P).nOut(128).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(128).nOut(P)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        // Without an agent the job trains the same and reports nothing: the baseline of the overhead benchmark.
        Run run = agent == null ? null : agent.startRun(RunSpec.named("modadd").runId(settings.runId())
                .model("modadd", Map.of("p", "" + P, "hidden", "128", "loss", "cross-entropy"), net.numParams())
                .trainingSetSize(trainSize)
                .hyperparameters(Map.of("optimizer", "adam", "lr", "3e-3", "l2", "1e-3", "batch", "full",
                        "train_fraction", "" + TRAIN_FRACTION, "seed", "" + settings.seed()))
                .conceptProbes(List.of("wrap-around", "no-wrap-around")));
        InJobProber prober = null;
        if (run != null) {
            SpectroscopeListener listener = new SpectroscopeListener(run, 0, settings.checkpointEvery(),
                    Map.of("wrap-around", wrap, "no-wrap-around", noWrap));
            if (settings.probeEvery() > 0) {
                // The probe worker cannot rebuild this network; the job samples around its weights itself.
                prober = new InJobProber(run, ProbeConfig.newBuilder(PROBE).setNBeta(trainSize / Math.log(trainSize))
                        .setSeed(settings.seed()).build(), 1);
                listener.probeInJob(prober, settings.probeEvery(), testSet);
            }
            net.setListeners(listener);
        }
        try {
            for (int step = 0; step < settings.steps(); step++) {
                net.fit(train);
                if (step % settings.logEvery() == 0) {
                    Evaluation eval = new Evaluation(P);
                    eval.eval(testSet.getLabels(), net.output(testSet.getFeatures()));
                    if (run != null) {
                        run.metrics(step, net.score(), null, null, Map.of("test_accuracy", eval.accuracy()));
                    }
                }
            }
            if (prober != null) {
                try {
                    prober.awaitIdle(10, TimeUnit.MINUTES); // probes handed over go out before RunEnded
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (run != null) {
                run.finish(RunStatus.FINISHED);
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
        return new TrainResult(run == null ? "" : run.id(), settings.steps(), net.score(), (System.nanoTime() - started) / 1e9);
    }

    private static DataSet encode(List<int[]> pairs) {
        INDArray features = Nd4j.zeros(DataType.FLOAT, pairs.size(), 2 * P);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, pairs.size(), P);
        for (int i = 0; i < pairs.size(); i++) {
            int[] p = pairs.get(i);
            features.putScalar(i, p[0], 1);
            features.putScalar(i, P + p[1], 1);
            labels.putScalar(i, (p[0] + p[1]) % P, 1);
        }
        return new DataSet(features, labels);
    }
}
