package dev.spectroscope.examples;

/** What a training job ended with. */
public record TrainResult(String runId, int steps, double finalLoss, double seconds) {
}
