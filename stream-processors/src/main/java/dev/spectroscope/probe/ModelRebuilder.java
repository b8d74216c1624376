package dev.spectroscope.probe;

import dev.spectroscope.checkpoint.ProbeData;
import dev.spectroscope.deadletter.DeadLetters;
import dev.spectroscope.events.RunStarted;
import dev.spectroscope.slt.model.LossModel;
import dev.spectroscope.slt.reference.ToyModelOfSuperposition;
import java.util.Map;

/**
 * Rebuilds a run's model as a loss function from its description (RunStarted.modelFamily and modelSpec),
 * a checkpoint's parameters and the run's probe data. New families register here.
 */
public final class ModelRebuilder {

    private ModelRebuilder() {
    }

    public static LossModel rebuild(RunStarted run, float[] parameters, ProbeData data) {
        String family = run.getModelFamily();
        Map<String, String> spec = run.getModelSpec();
        double[] center = new double[parameters.length];
        for (int i = 0; i < center.length; i++) {
            center[i] = parameters[i];
        }
        return switch (family) {
            case "tms" -> {
                int features = integer(spec, "features", run);
                int hidden = integer(spec, "hidden", run);
                if (data.inputColumns() != features || data.targetColumns() != 0) {
                    throw new ProbeFailure(DeadLetters.INVALID_VALUE, "run " + run.getRunId() + ": TMS with " + features
                            + " features needs probe data of " + features + " input columns and no targets, got "
                            + data.inputColumns() + " and " + data.targetColumns(), null);
                }
                if (parameters.length != ToyModelOfSuperposition.parameterCount(features, hidden)) {
                    throw new ProbeFailure(DeadLetters.INVALID_VALUE, "run " + run.getRunId() + ": TMS F=" + features
                            + " H=" + hidden + " has " + ToyModelOfSuperposition.parameterCount(features, hidden)
                            + " parameters, the checkpoint has " + parameters.length, null);
                }
                yield new ToyModelOfSuperposition(features, hidden, data.inputs(), center);
            }
            default -> throw new ProbeFailure(DeadLetters.UNSUPPORTED_MODEL, "run " + run.getRunId()
                    + " is a '" + family + "' model, which the probe worker cannot rebuild (supported: tms); sample "
                    + "it in the job with the agent's in-job prober instead", null);
        };
    }

    private static int integer(Map<String, String> spec, String key, RunStarted run) {
        String value = spec.get(key);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException | NullPointerException e) {
            throw new ProbeFailure(DeadLetters.INVALID_VALUE, "run " + run.getRunId() + ": modelSpec." + key
                    + " is '" + value + "', not an integer", e);
        }
    }
}
