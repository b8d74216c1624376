package dev.spectroscope.slt.dl4j;

import dev.spectroscope.slt.model.LossModel;
import java.util.function.Supplier;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A DL4J {@link MultiLayerNetwork} or single-input, single-output {@link ComputationGraph} seen as a
 * {@link LossModel} over a data set. The network's score is its loss (the mean over the minibatch, with
 * whatever regularization it was configured with); DL4J's flat gradient is the SUM over the minibatch,
 * so it is divided by the batch size here.
 *
 * <p>Every evaluator works on its own clone: the caller's network is never touched.
 */
public final class Dl4jNetworkModel implements LossModel {

    private final Supplier<Model> cloner;
    private final INDArray features;
    private final INDArray labels;
    private final double[] center;
    private final String description;

    private Dl4jNetworkModel(Supplier<Model> cloner, double[] center, INDArray features, INDArray labels,
                             String description) {
        if (features.rows() != labels.rows()) {
            throw new IllegalArgumentException("features have " + features.rows() + " rows but labels "
                    + labels.rows());
        }
        this.cloner = cloner;
        this.center = center;
        this.features = features;
        this.labels = labels;
        this.description = description;
    }

    public static Dl4jNetworkModel of(MultiLayerNetwork network, INDArray features, INDArray labels) {
        MultiLayerNetwork copy = network.clone();
        return new Dl4jNetworkModel(copy::clone, copy.params().toDoubleVector(), features, labels,
                "dl4j MultiLayerNetwork (" + copy.numParams() + " parameters)");
    }

    public static Dl4jNetworkModel of(ComputationGraph graph, INDArray features, INDArray labels) {
        if (graph.getNumInputArrays() != 1 || graph.getNumOutputArrays() != 1) {
            throw new IllegalArgumentException("only graphs with one input and one output are supported, this one has "
                    + graph.getNumInputArrays() + " and " + graph.getNumOutputArrays());
        }
        ComputationGraph copy = graph.clone();
        return new Dl4jNetworkModel(copy::clone, copy.params().toDoubleVector(), features, labels,
                "dl4j ComputationGraph (" + copy.numParams() + " parameters)");
    }

    @Override
    public int dimension() {
        return center.length;
    }

    @Override
    public int sampleCount() {
        return (int) features.rows();
    }

    @Override
    public double[] center() {
        return center.clone();
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public Evaluator newEvaluator() {
        return new NetworkEvaluator(cloner.get());
    }

    private final class NetworkEvaluator implements Evaluator {
        private final Model network;
        private final INDArray params;

        NetworkEvaluator(Model network) {
            this.network = network;
            this.params = Nd4j.create(network.params().dataType(), 1, center.length);
        }

        @Override
        public double lossAndGradient(double[] w, int[] batch, int size, double[] gradient) {
            double score = prepareAndScore(w, batch, size, true);
            INDArray flat = network.gradient().gradient();
            double[] sum = flat.castTo(DataType.DOUBLE).data().asDouble();
            for (int i = 0; i < sum.length; i++) {
                gradient[i] = sum[i] / size;
            }
            return score;
        }

        @Override
        public double loss(double[] w, int[] batch, int size) {
            return prepareAndScore(w, batch, size, false);
        }

        @Override
        public double fullLoss(double[] w) {
            int n = sampleCount();
            int chunk = Math.min(n, 4096);
            double total = 0;
            int[] rows = new int[chunk];
            for (int start = 0; start < n; start += chunk) {
                int size = Math.min(chunk, n - start);
                for (int i = 0; i < size; i++) {
                    rows[i] = start + i;
                }
                total += loss(w, rows, size) * size;
            }
            return total / n;
        }

        private double prepareAndScore(double[] w, int[] batch, int size, boolean withGradient) {
            params.assign(Nd4j.createFromArray(w).reshape(1, w.length).castTo(params.dataType()));
            network.setParams(params);
            int[] rows = size == batch.length ? batch : java.util.Arrays.copyOf(batch, size);
            INDArray x = size >= features.rows() ? features : features.getRows(rows);
            INDArray y = size >= labels.rows() ? labels : labels.getRows(rows);
            if (network instanceof MultiLayerNetwork mln) {
                mln.setInput(x);
                mln.setLabels(y);
            } else {
                ComputationGraph graph = (ComputationGraph) network;
                graph.setInputs(x);
                graph.setLabels(y);
            }
            if (withGradient) {
                if (network instanceof MultiLayerNetwork mln) {
                    mln.computeGradientAndScore();
                } else {
                    ((ComputationGraph) network).computeGradientAndScore();
                }
            } else if (network instanceof MultiLayerNetwork mln) {
                return mln.score(new org.nd4j.linalg.dataset.DataSet(x, y), false);
            } else {
                return ((ComputationGraph) network).score(new org.nd4j.linalg.dataset.DataSet(x, y), false);
            }
            return network.score();
        }
    }
}
