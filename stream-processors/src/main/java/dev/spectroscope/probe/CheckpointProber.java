package dev.spectroscope.probe;

import dev.spectroscope.blob.BlobException;
import dev.spectroscope.blob.BlobStore;
import dev.spectroscope.checkpoint.CheckpointParameters;
import dev.spectroscope.checkpoint.ProbeData;
import dev.spectroscope.deadletter.DeadLetters;
import dev.spectroscope.events.Checkpoint;
import dev.spectroscope.events.ProbeConfig;
import dev.spectroscope.events.RunStarted;
import dev.spectroscope.events.SamplerConfig;
import dev.spectroscope.events.SgldChain;
import dev.spectroscope.slt.model.LossModel;
import dev.spectroscope.slt.sampler.ChainResult;
import dev.spectroscope.slt.sampler.Preconditioner;
import dev.spectroscope.slt.sampler.SgldSampler;
import dev.spectroscope.slt.sampler.SgldSettings;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Samples SGLD chains around one checkpoint, as the run's probe settings say, over its temperature ladder.
 * Deterministic: the chains' seeds derive from the probe seed and the step, and the events' ids from run,
 * step, chain and temperature, so a redone checkpoint yields the same events.
 */
public final class CheckpointProber {

    /** Measure MALA acceptance every this many steps (one extra gradient each time). */
    static final int MALA_EVERY = 20;

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
        if (config.getLadder().stream().anyMatch(m -> !(m > 0) || !Double.isFinite(m))) {
            throw new ProbeFailure(DeadLetters.INVALID_VALUE, "the probe ladder of run " + run.getRunId() + " is "
                    + config.getLadder() + "; its multipliers of nβ must be positive", null);
        }
        double[] ladder = referenceFirst(config.getLadder());
        SgldSettings settings;
        try {
            settings = new SgldSettings(config.getEpsilon(), config.getGamma(), config.getNBeta(), config.getBatchSize(),
                    config.getChains(), config.getDraws(), config.getBurnIn(), config.getStepsPerDraw(),
                    config.getSeed() * 1_000_003L + checkpoint.getStep(),
                    Preconditioner.fromAlgorithm(config.getAlgorithm()), MALA_EVERY);
        } catch (IllegalArgumentException e) {
            throw new ProbeFailure(DeadLetters.INVALID_VALUE, "the probe settings of run " + run.getRunId()
                    + " are invalid: " + e.getMessage(), e);
        }
        SgldSampler.Samples samples;
        try {
            samples = sampler.sample(model, settings, ladder);
        } catch (IllegalArgumentException e) {
            throw new ProbeFailure(DeadLetters.INVALID_VALUE, where + ": " + e.getMessage(), e);
        }
        List<SgldChain> out = new ArrayList<>();
        Instant now = Instant.now();
        for (ChainResult c : samples.chains()) {
            SamplerConfig sc = SamplerConfig.newBuilder()
                    .setAlgorithm(config.getAlgorithm())
                    .setEpsilon(config.getEpsilon())
                    .setNBeta(c.nBeta())
                    .setGamma(config.getGamma())
                    .setBatchSize(config.getBatchSize())
                    .setN(model.sampleCount())
                    .setDraws(config.getDraws())
                    .setBurnIn(config.getBurnIn())
                    .setStepsPerDraw(config.getStepsPerDraw())
                    .setSeed(c.seed())
                    .setChainCount(config.getChains())
                    .setTemperatureCount(ladder.length)
                    .build();
            List<Double> losses = new ArrayList<>(c.losses().length);
            for (double l : c.losses()) {
                losses.add(l);
            }
            out.add(SgldChain.newBuilder()
                    .setEventId(chainEventId(run.getRunId(), checkpoint.getStep(), c.chainIndex(), c.temperatureIndex()))
                    .setRunId(run.getRunId())
                    .setStep(checkpoint.getStep())
                    .setTimestamp(now)
                    .setChainIndex(c.chainIndex())
                    .setTemperatureIndex(c.temperatureIndex())
                    .setSampler(sc)
                    .setCenterLoss(c.centerLoss())
                    .setLosses(losses)
                    .setMalaAcceptance(Double.isNaN(c.malaAcceptance()) ? null : c.malaAcceptance())
                    .setDiverged(c.diverged())
                    .setDiagnostics(c.notes())
                    .setSource("probe-worker")
                    .setElapsedMillis(c.elapsedNanos() / 1_000_000)
                    .setMeanSquaredDistance(Double.isNaN(c.meanSquaredDistance()) ? null : c.meanSquaredDistance())
                    .build());
        }
        return out;
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

    /** The ladder with the multiplier closest to 1 first: temperature 0 is where the LLC is read. */
    static double[] referenceFirst(List<Double> ladder) {
        List<Double> rest = new ArrayList<>(ladder.isEmpty() ? List.of(1.0) : ladder);
        int best = 0;
        for (int i = 1; i < rest.size(); i++) {
            if (Math.abs(Math.log(rest.get(i))) < Math.abs(Math.log(rest.get(best)))) {
                best = i;
            }
        }
        double reference = rest.remove(best);
        double[] out = new double[rest.size() + 1];
        out[0] = reference;
        for (int i = 0; i < rest.size(); i++) {
            out[i + 1] = rest.get(i);
        }
        return out;
    }

    public static String chainEventId(String runId, long step, int chain, int temperature) {
        return UUID.nameUUIDFromBytes(("sgld|" + runId + '|' + step + '|' + chain + '|' + temperature)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }
}
