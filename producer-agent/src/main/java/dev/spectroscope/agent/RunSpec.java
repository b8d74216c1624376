package dev.spectroscope.agent;

import dev.spectroscope.checkpoint.ProbeData;
import dev.spectroscope.events.ProbeConfig;
import java.util.List;
import java.util.Map;

/**
 * What a run says about itself when it starts (RunStarted).
 *
 * @param runId           explicit run id, or null for name plus a random suffix
 * @param name            human-readable name
 * @param modelFamily     tms, dln, modadd, mlp, ... or custom
 * @param modelSpec       what a probe worker needs to rebuild the model (widths, activation, loss)
 * @param trainingSetSize n
 * @param parameterCount  number of parameters
 * @param hyperparameters optimizer and training settings
 * @param probe           how to probe the run, or null
 * @param conceptProbes   names of the concept probes the run reports
 * @param tags            free-form labels
 * @param probeData       the data set a probe worker samples the loss on (shipped once, by claim check), or null
 */
public record RunSpec(String runId, String name, String modelFamily, Map<String, String> modelSpec, long trainingSetSize,
                      long parameterCount, Map<String, String> hyperparameters, ProbeConfig probe,
                      List<String> conceptProbes, Map<String, String> tags, ProbeData probeData) {

    public RunSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a run needs a name");
        }
        if (trainingSetSize < 1) {
            throw new IllegalArgumentException("run " + name + ": the training-set size n must be at least 1, was "
                    + trainingSetSize);
        }
        modelSpec = Map.copyOf(modelSpec == null ? Map.of() : modelSpec);
        hyperparameters = Map.copyOf(hyperparameters == null ? Map.of() : hyperparameters);
        conceptProbes = List.copyOf(conceptProbes == null ? List.of() : conceptProbes);
        tags = Map.copyOf(tags == null ? Map.of() : tags);
    }

    public static RunSpec named(String name) {
        return new RunSpec(null, name, "custom", Map.of(), 1, 0, Map.of(), null, List.of(), Map.of(), null);
    }

    public RunSpec runId(String id) {
        return new RunSpec(id, name, modelFamily, modelSpec, trainingSetSize, parameterCount, hyperparameters, probe,
                conceptProbes, tags, probeData);
    }

    public RunSpec model(String family, Map<String, String> spec, long parameters) {
        return new RunSpec(runId, name, family, spec, trainingSetSize, parameters, hyperparameters, probe,
                conceptProbes, tags, probeData);
    }

    public RunSpec trainingSetSize(long n) {
        return new RunSpec(runId, name, modelFamily, modelSpec, n, parameterCount, hyperparameters, probe,
                conceptProbes, tags, probeData);
    }

    public RunSpec hyperparameters(Map<String, String> values) {
        return new RunSpec(runId, name, modelFamily, modelSpec, trainingSetSize, parameterCount, values, probe,
                conceptProbes, tags, probeData);
    }

    public RunSpec probe(ProbeConfig config) {
        return new RunSpec(runId, name, modelFamily, modelSpec, trainingSetSize, parameterCount, hyperparameters,
                config, conceptProbes, tags, probeData);
    }

    public RunSpec conceptProbes(List<String> names) {
        return new RunSpec(runId, name, modelFamily, modelSpec, trainingSetSize, parameterCount, hyperparameters,
                probe, names, tags, probeData);
    }

    public RunSpec tags(Map<String, String> values) {
        return new RunSpec(runId, name, modelFamily, modelSpec, trainingSetSize, parameterCount, hyperparameters,
                probe, conceptProbes, values, probeData);
    }

    public RunSpec probeData(ProbeData data) {
        return new RunSpec(runId, name, modelFamily, modelSpec, trainingSetSize, parameterCount, hyperparameters,
                probe, conceptProbes, tags, data);
    }
}
