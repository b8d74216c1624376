package dev.spectroscope.probe;

import dev.spectroscope.agent.probe.ChainProbe;
import dev.spectroscope.blob.BlobException;
import dev.spectroscope.blob.BlobStore;
import dev.spectroscope.checkpoint.CheckpointParameters;
import dev.spectroscope.checkpoint.ProbeData;
import dev.spectroscope.deadletter.DeadLetters;
import dev.spectroscope.events.Checkpoint;
import dev.spectroscope.events.ProbeConfig;
import dev.spectroscope.events.RunStarted;
import dev.spectroscope.events.SgldChain;
import dev.spectroscope.slt.model.LossModel;
import dev.spectroscope.slt.sampler.SgldSampler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Samples SGLD chains around one checkpoint, as the run's probe settings say, over its temperature ladder.
 * Deterministic: the chains' seeds derive from the probe seed and the step, and the events' ids from run,
 * step, chain and temperature, so a redone checkpoint yields the same events.
 */
public final class CheckpointProber {

    private final BlobStore blobs;
    private final SgldSampler sampler;
    private final Map<String, ProbeData> probeData = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ProbeData> eldest) {
            return size() > 8;
        }
    };

    public CheckpointProber(BlobStore blobs, int threads) {
        this.blobs = blobs;
        this.sampler = new SgldSampler(threads);
    }

    /** The chains, reference rung (multiplier 1) first; empty when the run asked for no probing. */
    public List<SgldChain> probe(RunStarted run, Checkpoint checkpoint) {
        ProbeConfig config = run.getProbe();
        if (config == null) {
            return List.of();
        }
        String where = "run " + run.getRunId() + " step " + checkpoint.getStep();
        float[] parameters;
        try {
            parameters = CheckpointParameters.read(checkpoint, blobs);
        } catch (BlobException e) {
            throw new ProbeFailure(DeadLetters.MISSING_BLOB, e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new ProbeFailure(DeadLetters.INVALID_VALUE, e.getMessage(), e);
        }
        for (float p : parameters) {
            if (!Float.isFinite(p)) {
                throw new ProbeFailure(DeadLetters.INVALID_VALUE, "the checkpoint of " + where
                        + " holds a non-finite parameter; the run diverged", null);
            }
        }
        LossModel model = ModelRebuilder.rebuild(run, parameters, data(run));
        try {
            return ChainProbe.sample(sampler, run.getRunId(), checkpoint.getStep(), config, model, "probe-worker");
        } catch (IllegalArgumentException e) {
            throw new ProbeFailure(DeadLetters.INVALID_VALUE, where + ": the probe settings of run "
                    + run.getRunId() + " are invalid: " + e.getMessage(), e);
        }
    }

    private ProbeData data(RunStarted run) {
        ProbeData cached = probeData.get(run.getRunId());
        if (cached != null) {
            return cached;
        }
        if (run.getProbeData() == null) {
            throw new ProbeFailure(DeadLetters.MISSING_BLOB, "run " + run.getRunId() + " shipped no probe data "
                    + "(RunStarted.probeData): give RunSpec.probeData(...) to the agent", null);
        }
        byte[] bytes;
        try {
            bytes = blobs.get(run.getProbeData(), run.getRunId(), 0);
        } catch (BlobException e) {
            throw new ProbeFailure(DeadLetters.MISSING_BLOB, e.getMessage(), e);
        }
        ProbeData data;
        try {
            data = ProbeData.fromBytes(bytes, "the probe data of run " + run.getRunId());
        } catch (IllegalArgumentException e) {
            throw new ProbeFailure(DeadLetters.INVALID_VALUE, e.getMessage(), e);
        }
        probeData.put(run.getRunId(), data);
        return data;
    }
}
