package dev.spectroscope.slt.samediff;

import dev.spectroscope.slt.model.LossModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An ND4J {@link SameDiff} graph as a loss function: the parameters are the graph's trainable variables, in
 * the graph's order, each flattened in C order; the data are full arrays for its placeholders, whose first
 * dimension is the sample; the loss variable must be the <em>mean</em> over the minibatch (SameDiff
 * differentiates whatever the graph computes; unlike DL4J's layers there is no hidden batch sum).
 *
 * <p>The caller's graph is never touched: the model keeps a copy, and every evaluator (one per chain) its own.
 */
public final class SameDiffModel implements LossModel {

    private final SameDiff graph;
    private final String loss;
    private final Map<String, INDArray> data;
    private final List<String> parameters;
    private final List<long[]> shapes;
    private final double[] center;
    private final int n;

    /**
     * @param graph        a graph with a loss variable, trainable variables and placeholders
     * @param lossVariable the name of the scalar minibatch-mean loss
     * @param data         every placeholder the loss needs, as an array of all n samples (first dimension n)
     */
    public SameDiffModel(SameDiff graph, String lossVariable, Map<String, INDArray> data) {
        this.graph = graph.dup();
        this.loss = lossVariable;
        this.data = Map.copyOf(data);
        if (this.graph.getVariable(lossVariable) == null) {
            throw new IllegalArgumentException("the graph has no variable '" + lossVariable + "'");
        }
        long rows = -1;
        for (Map.Entry<String, INDArray> e : this.data.entrySet()) {
            SDVariable v = this.graph.getVariable(e.getKey());
            if (v == null || v.getVariableType() != VariableType.PLACEHOLDER) {
                throw new IllegalArgumentException("'" + e.getKey() + "' is no placeholder of the graph");
            }
            if (rows >= 0 && e.getValue().size(0) != rows) {
                throw new IllegalArgumentException("the data arrays disagree on the sample count: " + rows + " and "
                        + e.getValue().size(0) + " for '" + e.getKey() + "'");
            }
            rows = e.getValue().size(0);
        }
        if (rows <= 0) {
            throw new IllegalArgumentException("give the data of at least one placeholder, with samples");
        }
        this.n = (int) rows;
        this.parameters = new ArrayList<>();
        this.shapes = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (SDVariable v : this.graph.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE) {
                INDArray arr = v.getArr();
                parameters.add(v.name());
                shapes.add(arr.shape());
                for (double d : arr.dup('c').castTo(DataType.DOUBLE).data().asDouble()) {
                    values.add(d);
                }
            }
        }
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException("the graph has no trainable variables");
        }
        this.center = values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Names of the trainable variables, in the order of the flat parameter vector. */
    public List<String> parameterNames() {
        return List.copyOf(parameters);
    }

    @Override
    public int dimension() {
        return center.length;
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
        return "samediff " + parameters + " (" + center.length + " parameters, " + n + " samples)";
    }

    @Override
    public Evaluator newEvaluator() {
        return new GraphEvaluator(graph.dup());
    }

    private final class GraphEvaluator implements Evaluator {
        private final SameDiff sd;

        GraphEvaluator(SameDiff sd) {
            this.sd = sd;
        }

        private void load(double[] w) {
            int offset = 0;
            for (int i = 0; i < parameters.size(); i++) {
                INDArray arr = sd.getArrForVarName(parameters.get(i));
                int length = (int) arr.length();
                double[] slice = new double[length];
                System.arraycopy(w, offset, slice, 0, length);
                arr.assign(Nd4j.createFromArray(slice).castTo(arr.dataType()).reshape('c', shapes.get(i)));
                offset += length;
            }
        }

        private Map<String, INDArray> batch(int[] rows, int size) {
            int[] index = java.util.Arrays.copyOf(rows, size);
            Map<String, INDArray> out = new java.util.HashMap<>();
            data.forEach((name, all) -> out.put(name, Nd4j.pullRows(all, 1, index)));
            return out;
        }

        @Override
        public double lossAndGradient(double[] w, int[] rows, int size, double[] gradient) {
            load(w);
            var result = sd.calculateGradientsAndOutputs(batch(rows, size), List.of(loss), parameters);
            int offset = 0;
            for (String p : parameters) {
                double[] g = result.getGradients().get(p).dup('c').castTo(DataType.DOUBLE).data().asDouble();
                System.arraycopy(g, 0, gradient, offset, g.length);
                offset += g.length;
            }
            return result.getOutputs().get(loss).getDouble(0);
        }

        @Override
        public double loss(double[] w, int[] rows, int size) {
            load(w);
            return sd.output(batch(rows, size), loss).get(loss).getDouble(0);
        }

        @Override
        public double fullLoss(double[] w) {
            load(w);
            return sd.output(data, loss).get(loss).getDouble(0);
        }
    }
}
