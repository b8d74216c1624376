package dev.spectroscope.examples;

import dev.spectroscope.agent.Run;
import dev.spectroscope.agent.RunSpec;
import dev.spectroscope.agent.SpectroscopeAgent;
import dev.spectroscope.agent.dl4j.SpectroscopeListener;
import dev.spectroscope.events.RunStatus;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A deep linear network in DL4J (bias-free dense layers with identity activations) trained to a rank-r
 * teacher from Gaussian data, the way public practice does before measuring its learning coefficient:
 * 1000 samples, full batch, Adam at lr 0.01. Reports through {@link SpectroscopeListener}.
 */
public final class DlnExample {

    public static final int[] WIDTHS = {5, 3, 5};
    public static final int RANK = 1;
    public static final int SAMPLES = 1000;

    private DlnExample() {
    }

    public static TrainResult train(SpectroscopeAgent agent, TrainSettings settings) {
        long started = System.nanoTime();
        SplittableRandom random = new SplittableRandom(settings.seed());
        int in = WIDTHS[0];
        int out = WIDTHS[WIDTHS.length - 1];
        double[][] a = new double[out][RANK];
        double[][] b = new double[RANK][in];
        for (double[] row : a) {
            for (int k = 0; k < RANK; k++) {
                row[k] = random.nextGaussian();
            }
        }
        for (double[] row : b) {
            for (int k = 0; k < in; k++) {
                row[k] = random.nextGaussian();
            }
        }
        float[] x = new float[SAMPLES * in];
        float[] y = new float[SAMPLES * out];
        for (int i = 0; i < SAMPLES; i++) {
            for (int c = 0; c < in; c++) {
                x[i * in + c] = (float) random.nextGaussian();
            }
            for (int r = 0; r < out; r++) {
                double v = random.nextGaussian();
                for (int k = 0; k < RANK; k++) {
                    for (int c = 0; c < in; c++) {
                        v += a[r][k] * b[k][c] * x[i * in + c] / Math.sqrt(RANK);
                    }
                }
                y[i * out + r] = (float) v;
            }
        }
        DataSet data = new DataSet(Nd4j.createFromArray(x).reshape(SAMPLES, in),
                Nd4j.createFromArray(y).reshape(SAMPLES, out));

        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(settings.seed())
                .dataType(DataType.FLOAT).updater(new Adam(0.01)).list();
        for (int l = 0; l < WIDTHS.length - 2; l++) {
            list.layer(new DenseLayer.Builder().nIn(WIDTHS[l]).nOut(WIDTHS[l + 1]).hasBias(false)
                    .activation(Activation.IDENTITY).build());
        }
        list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(WIDTHS[WIDTHS.length - 2]).nOut(out)
                .hasBias(false).activation(Activation.IDENTITY).build());
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();

        Run run = agent.startRun(RunSpec.named("dln").runId(settings.runId())
                .model("dln", Map.of("widths", Arrays.toString(WIDTHS), "rank", "" + RANK, "loss", "mse"),
                        net.numParams())
                .trainingSetSize(SAMPLES)
                .hyperparameters(Map.of("optimizer", "adam", "lr", "0.01", "batch", "full", "seed", "" + settings.seed())));
        net.setListeners(new SpectroscopeListener(run, settings.logEvery(), settings.checkpointEvery(), Map.of()));
        try {
            for (int step = 0; step < settings.steps(); step++) {
                net.fit(data);
            }
            run.finish(RunStatus.FINISHED);
        } catch (RuntimeException e) {
            run.finish(RunStatus.FAILED);
            throw e;
        }
        return new TrainResult(run.id(), settings.steps(), net.score(), (System.nanoTime() - started) / 1e9);
    }
}
