package dev.spectroscope.agent.dl4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spectroscope.agent.AgentConfig;
import dev.spectroscope.agent.Run;
import dev.spectroscope.agent.RunSpec;
import dev.spectroscope.agent.SpectroscopeAgent;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The listener's one-copy checkpoint path against the parameters read block by block through DL4J. */
class SpectroscopeListenerTest {

    @TempDir
    Path dir;

    @Test
    void aMultiLayerNetworksCheckpointIsItsBlocksInCOrder() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.FLOAT).updater(new Adam(1e-2)).list()
                .layer(new DenseLayer.Builder().nIn(5).nOut(7).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nIn(7).nOut(4).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(3)
                        .activation(Activation.IDENTITY).build())
                .build());
        net.init();
        DataSet data = new DataSet(Nd4j.rand(DataType.FLOAT, 16, 5), Nd4j.rand(DataType.FLOAT, 16, 3));
        checkAcrossTraining(net, () -> net.fit(data));
    }

    @Test
    void aComputationGraphsCheckpointIsItsBlocksInCOrder() {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(4)
                .dataType(DataType.FLOAT).updater(new Adam(1e-2)).graphBuilder()
                .addInputs("a", "b")
                .addLayer("da", new DenseLayer.Builder().nIn(3).nOut(6).activation(Activation.TANH).build(), "a")
                .addLayer("db", new DenseLayer.Builder().nIn(2).nOut(5).activation(Activation.TANH).build(), "b")
                .addVertex("merge", new MergeVertex(), "da", "db")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(11).nOut(2)
                        .activation(Activation.IDENTITY).build(), "merge")
                .setOutputs("out").build());
        graph.init();
        MultiDataSet data = new MultiDataSet(new INDArray[] {Nd4j.rand(DataType.FLOAT, 8, 3),
                Nd4j.rand(DataType.FLOAT, 8, 2)}, new INDArray[] {Nd4j.rand(DataType.FLOAT, 8, 2)});
        checkAcrossTraining(graph, () -> graph.fit(data));
    }

    private void checkAcrossTraining(Model model, Runnable step) {
        try (SpectroscopeAgent agent = SpectroscopeAgent.start(AgentConfig.defaults().withSpillDir(dir.resolve("spill"))
                .withBlobDir(dir.resolve("blobs")))) {
            Run run = agent.startRun(RunSpec.named("listener").trainingSetSize(16));
            SpectroscopeListener listener = new SpectroscopeListener(run, 1, 1, Map.of());
            assertArrayEquals(blockByBlock(model), listener.flatten(model));
            assertTrue(listener.copiesOnce(), "the blocks are views of the flat vector: one copy should do");
            for (int i = 0; i < 3; i++) {
                step.run(); // the values change; the fast path must follow them
                assertArrayEquals(blockByBlock(model), listener.flatten(model));
            }
        }
    }

    /** The reference: each parameter of the table, copied in C order, one after the other. */
    private static float[] blockByBlock(Model model) {
        Map<String, INDArray> table = model.paramTable();
        float[] flat = new float[(int) model.numParams()];
        int at = 0;
        for (INDArray block : table.values()) {
            INDArray c = block.dup('c');
            for (long i = 0; i < c.length(); i++) {
                flat[at++] = c.reshape(c.length()).getFloat(i);
            }
        }
        return flat;
    }
}
