package dev.spectroscope.agent;

import dev.spectroscope.events.BlobRef;
import dev.spectroscope.events.Checkpoint;
import dev.spectroscope.events.ConceptProbe;
import dev.spectroscope.events.ParameterBlock;
import dev.spectroscope.events.RunEnded;
import dev.spectroscope.events.RunStarted;
import dev.spectroscope.events.RunStatus;
import dev.spectroscope.events.SgldChain;
import dev.spectroscope.events.TrainingMetrics;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;

/**
 * One training run's handle. Thread-safe; every call copies what it needs and returns in microseconds,
 * and none throws: problems are counted in {@link SpectroscopeAgent#stats()} and logged once.
 */
public final class Run {

    private final SpectroscopeAgent agent;
    private final String runId;
    private final long startedMillis = System.currentTimeMillis();
    private final AtomicLong lastStep = new AtomicLong(-1);
    private final AtomicBoolean finished = new AtomicBoolean();
    /**
     * The run's clock, in epoch milliseconds. Kafka Streams orders a run's events across topics by their
     * timestamps, and several events share a millisecond (a step's metric, checkpoint and concept scores, and
     * RunStarted with the first of them): RunStarted is stamped strictly before everything after it and RunEnded
     * strictly after, and no event is stamped before an earlier one, whatever the wall clock does.
     */
    private final AtomicLong clock = new AtomicLong();

    Run(SpectroscopeAgent agent, String runId) {
        this.agent = agent;
        this.runId = runId;
    }

    public String id() {
        return runId;
    }

    void started(RunSpec spec) {
        long now = now();
        clock.accumulateAndGet(now + 1, Math::max);
        agent.offer(new Event(Pending.RUN_BOUNDARY, "RunStarted") {
            @Override
            SpecificRecord build(SpectroscopeAgent a, String eventId) {
                // The probe data goes to the blob store here, on the agent's writer thread, never the trainer's.
                BlobRef probeData = spec.probeData() == null ? null
                        : a.blobs().put(runId, 0, "probe-data", spec.probeData().toBytes());
                return RunStarted.newBuilder().setEventId(eventId).setRunId(runId).setTimestamp(Instant.ofEpochMilli(now))
                        .setName(spec.name()).setModelFamily(spec.modelFamily()).setModelSpec(spec.modelSpec())
                        .setN(spec.trainingSetSize()).setParameterCount(spec.parameterCount())
                        .setHyperparameters(spec.hyperparameters()).setProbe(spec.probe())
                        .setConceptProbes(spec.conceptProbes()).setTags(spec.tags()).setProbeData(probeData)
                        .setAgentVersion(SpectroscopeAgent.VERSION).build();
            }
        });
    }

    /** The training loss at a step. */
    public void metrics(long step, double loss) {
        metrics(step, loss, null, null, Map.of());
    }

    /** The training loss and other named scalars (accuracy, test loss, ...) at a step. */
    public void metrics(long step, double loss, Map<String, Double> scalars) {
        metrics(step, loss, null, null, scalars);
    }

    /** Everything TrainingMetrics carries; learning rate and gradient norm may be null. */
    public void metrics(long step, double loss, Double learningRate, Double gradientNorm, Map<String, Double> scalars) {
        try {
            long now = now();
            lastStep.accumulateAndGet(step, Math::max);
            Map<String, Double> copy = scalars == null || scalars.isEmpty() ? Map.of() : Map.copyOf(scalars);
            agent.offer(new Event(Pending.METRICS, "TrainingMetrics") {
                @Override
                SpecificRecord build(SpectroscopeAgent a, String eventId) {
                    return new TrainingMetrics(eventId, runId, step, Instant.ofEpochMilli(now), 0, loss, learningRate,
                            gradientNorm, copy);
                }
            });
        } catch (RuntimeException e) {
            agent.stats().error("metrics", e);
        }
    }

    /** A named concept probe's score at a step. */
    public void concept(long step, String probe, double score) {
        try {
            long now = now();
            agent.offer(new Event(Pending.METRICS, "ConceptProbe") {
                @Override
                SpecificRecord build(SpectroscopeAgent a, String eventId) {
                    return new ConceptProbe(eventId, runId, step, Instant.ofEpochMilli(now), probe, score, "loss", false);
                }
            });
        } catch (RuntimeException e) {
            agent.stats().error("concept", e);
        }
    }

    /** The model's flat parameters at a step (copied now); inline when small, else to the blob store. */
    public void checkpoint(long step, float[] parameters, List<ParameterBlock> layout, Double loss) {
        try {
            long now = now();
            lastStep.accumulateAndGet(step, Math::max);
            float[] copy = parameters.clone();
            List<ParameterBlock> blocks = layout == null ? List.of() : List.copyOf(layout);
            agent.offer(new Event(Pending.CHECKPOINT, "Checkpoint") {
                @Override
                SpecificRecord build(SpectroscopeAgent a, String eventId) {
                    ByteBuffer bytes = ByteBuffer.allocate(copy.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                    bytes.asFloatBuffer().put(copy);
                    Checkpoint.Builder b = Checkpoint.newBuilder().setEventId(eventId).setRunId(runId).setStep(step)
                            .setTimestamp(Instant.ofEpochMilli(now)).setParameterCount(copy.length).setDtype("FLOAT32")
                            .setLayout(blocks).setLoss(loss);
                    if (bytes.capacity() <= a.config().inlineThresholdBytes()) {
                        b.setInlineParameters(bytes);
                    } else {
                        BlobRef ref = a.blobs().put(runId, step, "params", bytes.array());
                        b.setBlob(ref);
                    }
                    return b.build();
                }
            });
        } catch (RuntimeException e) {
            agent.stats().error("checkpoint", e);
        }
    }

    public void checkpoint(long step, float[] parameters) {
        checkpoint(step, parameters, null, null);
    }

    /** An SGLD chain sampled in-job (see {@code InJobProber}). */
    public void sgldChain(SgldChain chain) {
        agent.offer(new Event(Pending.CHECKPOINT, "SgldChain") {
            @Override
            SpecificRecord build(SpectroscopeAgent a, String eventId) {
                // A chain's own id (derived from run, step, chain, temperature) makes a step sampled twice,
                // in the job and by a probe worker, one set of chains downstream.
                String id = chain.getEventId() == null || chain.getEventId().isBlank() ? eventId : chain.getEventId();
                return SgldChain.newBuilder(chain).setEventId(id).setRunId(runId).build();
            }
        });
    }

    /** Ends the run with RunEnded; later calls do nothing. */
    public void finish(RunStatus status) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        long wall = System.currentTimeMillis();
        long now = clock.updateAndGet(previous -> Math.max(previous + 1, wall));
        agent.offer(new Event(Pending.RUN_BOUNDARY, "RunEnded") {
            @Override
            SpecificRecord build(SpectroscopeAgent a, String eventId) {
                return RunEnded.newBuilder().setEventId(eventId).setRunId(runId).setTimestamp(Instant.ofEpochMilli(now))
                        .setStatus(status).setLastStep(Math.max(0, lastStep.get()))
                        .setDurationMillis(now - startedMillis).setDroppedEvents(a.stats().droppedCounts()).build();
            }
        });
        agent.runFinished(runId);
    }

    private long now() {
        long wall = System.currentTimeMillis();
        return clock.updateAndGet(previous -> Math.max(previous, wall));
    }

    private abstract class Event extends Pending {
        private final int priority;
        private final String type;

        Event(int priority, String type) {
            this.priority = priority;
            this.type = type;
        }

        @Override
        int priority() {
            return priority;
        }

        @Override
        String eventType() {
            return type;
        }

        @Override
        String key() {
            return runId;
        }
    }
}
