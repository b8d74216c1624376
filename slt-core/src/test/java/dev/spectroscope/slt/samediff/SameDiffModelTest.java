package dev.spectroscope.slt.samediff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.spectroscope.slt.model.LossModel;
import dev.spectroscope.slt.reference.ToyModelOfSuperposition;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The SameDiff adapter against an independent implementation of the same model: the toy model of
 * superposition written as a SameDiff graph (as the TMS example trains it) and in plain Java
 * ({@link ToyModelOfSuperposition}) give the same losses and gradients at the same weights.
 */
class SameDiffModelTest {

    private static final int F = 6;
    private static final int H = 2;
    private static final int N = 300;

    static SameDiff tmsGraph(double[] center) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, F);
        float[] w = new float[H * F];
        float[] b = new float[F];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) center[i];
        }
        for (int i = 0; i < F; i++) {
            b[i] = (float) center[H * F + i];
        }
        SDVariable wv = sd.var("W", Nd4j.createFromArray(w).reshape(H, F));
        SDVariable bv = sd.var("b", Nd4j.createFromArray(b).reshape(1, F));
        SDVariable h = x.mmul("h", wv, MMulTranspose.builder().transposeB(true).build());
        SDVariable xhat = sd.nn.relu("xhat", h.mmul(wv).add(bv), 0);
        SDVariable diff = xhat.sub(x);
        diff.mul(diff).sum(1).mean("loss");
        return sd;
    }

    @Test
    void lossesAndGradientsMatchThePlainJavaToyModel() {
        SplittableRandom random = new SplittableRandom(5);
        float[] data = new float[N * F];
        for (int i = 0; i < N; i++) {
            data[i * F + random.nextInt(F)] = (float) random.nextDouble();
        }
        double[] center = new double[ToyModelOfSuperposition.parameterCount(F, H)];
        for (int i = 0; i < center.length; i++) {
            center[i] = (float) (0.5 * random.nextGaussian()); // float-representable, as both compute in float
        }
        SameDiff graph = tmsGraph(center);
        SameDiffModel model = new SameDiffModel(graph, "loss", Map.of("x", Nd4j.createFromArray(data).reshape(N, F)));
        ToyModelOfSuperposition reference = new ToyModelOfSuperposition(F, H, data, center);
        assertEquals(List.of("W", "b"), model.parameterNames());
        assertEquals(reference.dimension(), model.dimension());
        assertEquals(N, model.sampleCount());
        assertArrayEquals(reference.center(), model.center(), 1e-7);

        LossModel.Evaluator a = model.newEvaluator();
        LossModel.Evaluator b = reference.newEvaluator();
        int[] batch = random.ints(64, 0, N).toArray();
        for (int trial = 0; trial < 3; trial++) {
            double[] w = model.center();
            for (int i = 0; i < w.length; i++) {
                w[i] += (float) (0.1 * random.nextGaussian());
            }
            double[] ga = new double[w.length];
            double[] gb = new double[w.length];
            double la = a.lossAndGradient(w, batch, 50, ga);
            double lb = b.lossAndGradient(w, batch, 50, gb);
            assertEquals(lb, la, 1e-5 * Math.max(1, Math.abs(lb)), "minibatch loss");
            assertArrayEquals(gb, ga, 1e-4, "minibatch gradient");
            assertEquals(b.loss(w, batch, 50), a.loss(w, batch, 50), 1e-5);
            assertEquals(b.fullLoss(w), a.fullLoss(w), 1e-5);
        }
        // The caller's graph keeps its weights.
        assertEquals((float) center[0], graph.getArrForVarName("W").getFloat(0, 0), 0f);
    }

    @Test
    void aMissingPlaceholderOrLossIsAClearError() {
        SameDiff graph = tmsGraph(new double[ToyModelOfSuperposition.parameterCount(F, H)]);
        assertThrows(IllegalArgumentException.class, () -> new SameDiffModel(graph, "nope",
                Map.of("x", Nd4j.zeros(DataType.FLOAT, 3, F))));
        assertThrows(IllegalArgumentException.class, () -> new SameDiffModel(graph, "loss",
                Map.of("W", Nd4j.zeros(DataType.FLOAT, 3, F))));
    }
}
