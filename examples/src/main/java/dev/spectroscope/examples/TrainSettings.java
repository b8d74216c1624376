package dev.spectroscope.examples;

/**
 * How an example trains and reports.
 *
 * @param steps           optimizer steps
 * @param seed            seeds data, initialization and minibatch order
 * @param runId           run id, or null for a generated one
 * @param logEvery        TrainingMetrics every k steps
 * @param checkpointEvery Checkpoint (and concept probes) every K steps, 0 for never
 * @param probeEvery      sample SGLD chains in the job every K steps (the agent's in-job prober), 0 for never
 */
public record TrainSettings(int steps, long seed, String runId, int logEvery, int checkpointEvery, int probeEvery) {

    public TrainSettings(int steps, long seed, String runId, int logEvery, int checkpointEvery) {
        this(steps, seed, runId, logEvery, checkpointEvery, 0);
    }

    public TrainSettings {
        if (steps < 1) {
            throw new IllegalArgumentException("--steps must be at least 1, was " + steps);
        }
        if (logEvery < 1) {
            throw new IllegalArgumentException("--log-every must be at least 1, was " + logEvery);
        }
        if (probeEvery < 0) {
            throw new IllegalArgumentException("--probe-every must be 0 (never) or more, was " + probeEvery);
        }
        if (checkpointEvery < 0) {
            throw new IllegalArgumentException("--checkpoint-every must be 0 (never) or more, was " + checkpointEvery);
        }
    }
}
