package dev.spectroscope.agent.dl4j;

import dev.spectroscope.agent.probe.InJobProber;
import dev.spectroscope.slt.dl4j.Dl4jNetworkModel;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The listener's in-job probe: the training thread clones the network (its only cost) and hands the clone,
 * as a loss function over the held-out set, to the prober's thread. Kept apart from the listener so a job
 * that does not probe never loads slt-core.
 */
final class Dl4jProbing {

    private Dl4jProbing() {
    }

    static void probe(InJobProber prober, Model model, long step, DataSet heldOut) {
        if (model instanceof MultiLayerNetwork net) {
            prober.probe(step, Dl4jNetworkModel.of(net.clone(), heldOut.getFeatures(), heldOut.getLabels()));
        } else if (model instanceof ComputationGraph graph) {
            prober.probe(step, Dl4jNetworkModel.of(graph.clone(), heldOut.getFeatures(), heldOut.getLabels()));
        }
    }
}
