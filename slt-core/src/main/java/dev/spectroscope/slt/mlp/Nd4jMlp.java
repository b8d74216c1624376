package dev.spectroscope.slt.mlp;

import dev.spectroscope.slt.model.LossModel;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.same.Sign;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A ReLU multilayer perceptron with a linear output and squared-error loss (½‖y − ŷ‖², the Gaussian
 * negative log-likelihood with σ = 1), evaluated with a handful of ND4J BLAS calls per step instead of
 * DL4J's layer stack: the lean gradient path the sampler needs to be fast on small networks.
 *
 * <p>Parameters, per layer, are W (fan-in × fan-out, row-major) then b (fan-out), in float32 as the
 * networks are trained. Every evaluator preallocates its activations, gradients and minibatch buffers;
 * a step allocates nothing on the Java side.
 */
public final class Nd4jMlp implements LossModel {

    private final int[] widths;
    private final int layers;
    private final int[] weightOffsets;
    private final int[] biasOffsets;
    private final int dimension;
    private final float[] x;
    private final float[] y;
    private final int n;
    private final double[] center;

    /**
     * @param widths [inputs, hidden…, outputs]
     * @param center parameters in this class's layout
     * @param x      n × inputs, row-major
     * @param y      n × outputs, row-major
     */
    public Nd4jMlp(int[] widths, double[] center, float[] x, float[] y) {
        this.widths = widths.clone();
        this.layers = widths.length - 1;
        this.weightOffsets = new int[layers];
        this.biasOffsets = new int[layers];
        int offset = 0;
        for (int l = 0; l < layers; l++) {
            weightOffsets[l] = offset;
            offset += widths[l] * widths[l + 1];
            biasOffsets[l] = offset;
            offset += widths[l + 1];
        }
        this.dimension = offset;
        if (center.length != dimension) {
            throw new IllegalArgumentException("an MLP of widths " + Arrays.toString(widths) + " has " + dimension
                    + " parameters, got " + center.length);
        }
        this.n = x.length / widths[0];
        if (y.length != n * widths[layers]) {
            throw new IllegalArgumentException("x holds " + n + " samples but y holds " + y.length / widths[layers]);
        }
        this.center = center.clone();
        this.x = x;
        this.y = y;
    }

    /** Randomly initialised (U(±1/√fan_in), as PyTorch does), for benchmarks and tests. */
    public static Nd4jMlp random(int[] widths, float[] x, float[] y, long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        int d = 0;
        for (int l = 0; l < widths.length - 1; l++) {
            d += widths[l] * widths[l + 1] + widths[l + 1];
        }
        double[] w = new double[d];
        int offset = 0;
        for (int l = 0; l < widths.length - 1; l++) {
            double bound = 1 / Math.sqrt(widths[l]);
            for (int k = 0; k < widths[l] * widths[l + 1] + widths[l + 1]; k++) {
                w[offset++] = bound * (2 * random.nextDouble() - 1);
            }
        }
        return new Nd4jMlp(widths, w, x, y);
    }

    /**
     * The same network as a DL4J MultiLayerNetwork of dense ReLU layers and an identity output layer with
     * MSE loss. Reads each layer's W and b by name, so DL4J's own flattening order does not matter.
     */
    public static Nd4jMlp fromDl4j(MultiLayerNetwork network, float[] x, float[] y) {
        int count = network.getnLayers();
        int[] widths = new int[count + 1];
        for (int l = 0; l < count; l++) {
            INDArray w = network.getLayer(l).getParam("W");
            widths[l] = (int) w.rows();
            widths[l + 1] = (int) w.columns();
        }
        double[] center = new double[0];
        for (int l = 0; l < count; l++) {
            double[] w = network.getLayer(l).getParam("W").dup('c').castTo(DataType.DOUBLE).data().asDouble();
            double[] b = network.getLayer(l).getParam("b").castTo(DataType.DOUBLE).data().asDouble();
            double[] next = Arrays.copyOf(center, center.length + w.length + b.length);
            System.arraycopy(w, 0, next, center.length, w.length);
            System.arraycopy(b, 0, next, center.length + w.length, b.length);
            center = next;
        }
        return new Nd4jMlp(widths, center, x, y);
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public int sampleCount() {
        return n;
    }

    @Override
    public double[] center() {
        return center.clone();
    }

    @Override
    public String describe() {
        return "mlp" + Arrays.toString(widths).replace(" ", "") + " (" + dimension + " parameters)";
    }

    @Override
    public Evaluator newEvaluator() {
        return new MlpEvaluator();
    }

    private final class MlpEvaluator implements Evaluator {
        private final INDArray params = Nd4j.create(DataType.FLOAT, 1, dimension);
        private final INDArray grads = Nd4j.create(DataType.FLOAT, 1, dimension);
        private final INDArray[] weights = new INDArray[layers];
        private final INDArray[] biases = new INDArray[layers];
        private final INDArray[] weightGrads = new INDArray[layers];
        private final INDArray[] biasGrads = new INDArray[layers];
        private final FloatBuffer paramBuffer;
        private final FloatBuffer gradBuffer;
        private int batchCapacity;
        private INDArray input;
        private INDArray target;
        private INDArray[] activations;
        private INDArray[] deltas;
        private INDArray[] masks;

        MlpEvaluator() {
            for (int l = 0; l < layers; l++) {
                int in = widths[l];
                int out = widths[l + 1];
                weights[l] = view(params, weightOffsets[l], in, out);
                biases[l] = view(params, biasOffsets[l], 1, out);
                weightGrads[l] = view(grads, weightOffsets[l], in, out);
                biasGrads[l] = view(grads, biasOffsets[l], 1, out);
            }
            paramBuffer = params.data().asNioFloat();
            gradBuffer = grads.data().asNioFloat();
        }

        private INDArray view(INDArray flat, int offset, int rows, int cols) {
            return flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(offset, offset + (long) rows * cols))
                    .reshape('c', rows, cols);
        }

        private void ensureBatch(int size) {
            if (size == batchCapacity) {
                return;
            }
            batchCapacity = size;
            input = Nd4j.create(DataType.FLOAT, size, widths[0]);
            target = Nd4j.create(DataType.FLOAT, size, widths[layers]);
            activations = new INDArray[layers + 1];
            deltas = new INDArray[layers + 1];
            masks = new INDArray[layers + 1];
            activations[0] = input;
            for (int l = 1; l <= layers; l++) {
                activations[l] = Nd4j.create(DataType.FLOAT, size, widths[l]);
                deltas[l] = Nd4j.create(DataType.FLOAT, size, widths[l]);
                masks[l] = Nd4j.create(DataType.FLOAT, size, widths[l]);
            }
        }

        private void load(double[] w, int[] batch, int size) {
            ensureBatch(size);
            paramBuffer.clear();
            for (int i = 0; i < dimension; i++) {
                paramBuffer.put(i, (float) w[i]);
            }
            FloatBuffer in = input.data().asNioFloat();
            FloatBuffer out = target.data().asNioFloat();
            int din = widths[0];
            int dout = widths[layers];
            boolean all = size >= n;
            for (int s = 0; s < size; s++) {
                int row = all ? s : batch[s];
                in.position(s * din);
                in.put(x, row * din, din);
                out.position(s * dout);
                out.put(y, row * dout, dout);
            }
        }

        /** Forward pass; leaves ŷ − y in deltas[layers] and returns the mean loss. */
        private double forward(int size) {
            for (int l = 0; l < layers; l++) {
                INDArray z = activations[l + 1];
                activations[l].mmuli(weights[l], z);
                z.addiRowVector(biases[l]);
                if (l < layers - 1) {
                    Transforms.relu(z, false);
                }
            }
            INDArray diff = deltas[layers];
            activations[layers].subi(target, diff);
            double norm = diff.norm2Number().doubleValue();
            return 0.5 * norm * norm / size;
        }

        @Override
        public double lossAndGradient(double[] w, int[] batch, int size, double[] gradient) {
            size = Math.min(size, n);
            load(w, batch, size);
            double loss = forward(size);
            deltas[layers].muli(1.0 / size);
            for (int l = layers - 1; l >= 0; l--) {
                INDArray delta = deltas[l + 1];
                activations[l].transpose().mmuli(delta, weightGrads[l]);
                delta.sum(biasGrads[l], 0);
                if (l > 0) {
                    INDArray below = deltas[l];
                    delta.mmuli(weights[l].transpose(), below);
                    // ReLU's derivative is 1 where its output is positive: sign(a) for a ≥ 0.
                    Nd4j.getExecutioner().exec(new Sign(activations[l], masks[l]));
                    below.muli(masks[l]);
                }
            }
            gradBuffer.clear();
            for (int i = 0; i < dimension; i++) {
                gradient[i] = gradBuffer.get(i);
            }
            return loss;
        }

        @Override
        public double loss(double[] w, int[] batch, int size) {
            size = Math.min(size, n);
            load(w, batch, size);
            return forward(size);
        }

        @Override
        public double fullLoss(double[] w) {
            return loss(w, null, n);
        }
    }
}
