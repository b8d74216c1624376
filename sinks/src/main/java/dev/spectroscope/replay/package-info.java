/**
 * Replay: a recorded run's inputs (run boundaries, metrics, checkpoints, concept probes, chains sampled in the
 * job) re-published into the pipeline, from the archive or from the topics, under a new run id or the same
 * one, at the recorded pace or faster. The pipeline recomputes everything derived from them.
 */
package dev.spectroscope.replay;
