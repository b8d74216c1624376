package dev.spectroscope.agent.probe;

import dev.spectroscope.events.ProbeConfig;
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
import java.util.List;
import java.util.UUID;

/**
 * SGLD chains around one point of a run, as its {@link ProbeConfig} says, over its temperature ladder, as
 * SgldChain events. The probe worker (around checkpoints) and the agent (in the job) both sample with this,
 * so a step sampled either way gives the same chains: seeds derive from the probe seed and the step, event
 * ids from run, step, chain and temperature.
 */
public final class ChainProbe {

    /** Measure MALA acceptance every this many steps (one extra gradient each time). */
    public static final int MALA_EVERY = 20;

    private ChainProbe() {
    }

    /**
     * @param source who sampled: {@code probe-worker} or {@code agent}
     * @throws IllegalArgumentException when the probe settings are invalid for this model
     */
    public static List<SgldChain> sample(SgldSampler sampler, String runId, long step, ProbeConfig config,
                                         LossModel model, String source) {
        if (config.getLadder().stream().anyMatch(m -> !(m > 0) || !Double.isFinite(m))) {
            throw new IllegalArgumentException("the probe ladder of run " + runId + " is " + config.getLadder()
                    + "; its multipliers of nβ must be positive");
        }
        double[] ladder = referenceFirst(config.getLadder());
        SgldSettings settings = new SgldSettings(config.getEpsilon(), config.getGamma(), config.getNBeta(),
                config.getBatchSize(), config.getChains(), config.getDraws(), config.getBurnIn(),
                config.getStepsPerDraw(), config.getSeed() * 1_000_003L + step,
                Preconditioner.fromAlgorithm(config.getAlgorithm()), MALA_EVERY);
        SgldSampler.Samples samples = sampler.sample(model, settings, ladder);
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
                    .setEventId(chainEventId(runId, step, c.chainIndex(), c.temperatureIndex()))
                    .setRunId(runId)
                    .setStep(step)
                    .setTimestamp(now)
                    .setChainIndex(c.chainIndex())
                    .setTemperatureIndex(c.temperatureIndex())
                    .setSampler(sc)
                    .setCenterLoss(c.centerLoss())
                    .setLosses(losses)
                    .setMalaAcceptance(Double.isNaN(c.malaAcceptance()) ? null : c.malaAcceptance())
                    .setDiverged(c.diverged())
                    .setDiagnostics(c.notes())
                    .setSource(source)
                    .setElapsedMillis(c.elapsedNanos() / 1_000_000)
                    .setMeanSquaredDistance(Double.isNaN(c.meanSquaredDistance()) ? null : c.meanSquaredDistance())
                    .build());
        }
        return out;
    }

    /** The ladder with the multiplier closest to 1 first: temperature 0 is where the LLC is read. */
    public static double[] referenceFirst(List<Double> ladder) {
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
