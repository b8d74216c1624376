package dev.spectroscope.slt.mlp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spectroscope.slt.dl4j.Dl4jNetworkModel;
import dev.spectroscope.slt.model.LossModel;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class NetworkModelsTest {

    private static final int N = 64;
    private static final float[] X = new float[N * 4];
    private static final float[] Y = new float[N];

    static {
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < X.length; i++) {
            X[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < N; i++) {
            Y[i] = (float) (X[i * 4] - 0.5 * X[i * 4 + 1] + 0.1 * random.nextGaussian());
        }
    }

    static MultiLayerNetwork network() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(8).nOut(6).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(6).nOut(1)
                        .activation(Activation.IDENTITY).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** Central differences in double precision of a float32 model: tolerances suit float rounding. */
    private static void assertGradientMatchesFiniteDifferences(LossModel model, int[] batch) {
        LossModel.Evaluator e = model.newEvaluator();
        double[] w = model.center();
        double[] g = new double[w.length];
        e.lossAndGradient(w, batch, batch.length, g);
        for (int i = 0; i < w.length; i += 7) {
            double h = 2e-3;
            double saved = w[i];
            w[i] = saved + h;
            double up = e.loss(w, batch, batch.length);
            w[i] = saved - h;
            double down = e.loss(w, batch, batch.length);
            w[i] = saved;
            assertEquals((up - down) / (2 * h), g[i], 2e-3 + 0.02 * Math.abs(g[i]), "coordinate " + i);
        }
    }

    @Test
    void leanMlpGradientIsRight() {
        Nd4jMlp mlp = Nd4jMlp.fromDl4j(network(), X, Y);
        assertEquals(4 * 8 + 8 + 8 * 6 + 6 + 6 + 1, mlp.dimension());
        assertGradientMatchesFiniteDifferences(mlp, new int[] {0, 3, 9, 20, 33, 63});
    }

    @Test
    void dl4jAdapterDividesTheSummedGradientByTheBatch() {
        MultiLayerNetwork net = network();
        INDArray features = Nd4j.createFromArray(X).reshape(N, 4);
        INDArray labels = Nd4j.createFromArray(Y).reshape(N, 1);
        Dl4jNetworkModel model = Dl4jNetworkModel.of(net, features, labels);
        assertGradientMatchesFiniteDifferences(model, new int[] {1, 2, 5, 8, 13, 21, 34});
        // The caller's network is left alone.
        double[] before = net.params().toDoubleVector();
        double[] w = model.center();
        w[0] += 1;
        model.newEvaluator().lossAndGradient(w, new int[] {0}, 1, new double[w.length]);
        assertArrayEquals(before, net.params().toDoubleVector());
    }

    @Test
    void bothPathsComputeTheSameLoss() {
        // DL4J's MSE is the mean of (y − ŷ)² over outputs, ours ½‖y − ŷ‖²: with one output, exactly half.
        MultiLayerNetwork net = network();
        Nd4jMlp mlp = Nd4jMlp.fromDl4j(net, X, Y);
        Dl4jNetworkModel dl4j = Dl4jNetworkModel.of(net, Nd4j.createFromArray(X).reshape(N, 4),
                Nd4j.createFromArray(Y).reshape(N, 1));
        int[] all = IntStream.range(0, N).toArray();
        double ours = mlp.newEvaluator().loss(mlp.center(), all, N);
        double theirs = dl4j.newEvaluator().loss(dl4j.center(), all, N);
        assertEquals(theirs / 2, ours, 1e-5 * Math.abs(ours));
        assertEquals(ours, mlp.newEvaluator().fullLoss(mlp.center()), 1e-6);
    }
}
