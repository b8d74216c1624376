package dev.spectroscope.estimate;

import dev.spectroscope.events.DosEstimate;
import dev.spectroscope.events.LlcEstimate;
import dev.spectroscope.events.SamplerConfig;
import dev.spectroscope.events.SgldChain;
import dev.spectroscope.slt.estimate.DosEstimator;
import dev.spectroscope.slt.estimate.DosResult;
import dev.spectroscope.slt.estimate.LlcEstimator;
import dev.spectroscope.slt.estimate.LlcResult;
import dev.spectroscope.slt.sampler.ChainResult;
import dev.spectroscope.slt.sampler.SgldSampler;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The chains of one (run, step) turned into estimates with slt-core: the LLC from temperature 0 (the probe's
 * own nβ: samplers put the ladder's reference rung first) and, when a ladder was sampled, the density of
 * states from all rungs. Pure: the same chains give the same events, ids included, which is what makes a
 * replay or a reprocessing produce identical estimates.
 */
public final class ChainEstimates {

    /** Points of the per-draw trace kept in an LlcEstimate (the full trace stays in the chains). */
    static final int TRACE_POINTS = 200;

    private ChainEstimates() {
    }

    /** Both estimates of one step; {@code dos} is empty without a ladder of at least two complete rungs. */
    public record Estimates(LlcEstimate llc, Optional<DosEstimate> dos) {
    }

    /**
     * @param chains  the step's chains (any order)
     * @param partial true when not every expected chain arrived
     * @param at      the events' timestamp
     */
    public static Estimates of(List<SgldChain> chains, boolean partial, Instant at) {
        if (chains.isEmpty()) {
            throw new IllegalArgumentException("no chains to estimate from");
        }
        List<SgldChain> sorted = new ArrayList<>(chains);
        sorted.sort(Comparator.comparingInt(SgldChain::getTemperatureIndex).thenComparingInt(SgldChain::getChainIndex));
        SgldChain first = sorted.get(0);
        String runId = first.getRunId();
        long step = first.getStep();
        int temperatures = first.getSampler().getTemperatureCount();
        List<ChainResult> results = sorted.stream().map(ChainEstimates::toResult).toList();
        List<ChainResult> atZero = results.stream().filter(r -> r.temperatureIndex() == 0).toList();
        List<String> notes = new ArrayList<>();
        if (partial) {
            notes.add(String.format("partial: %d of %d chains arrived before the wait ran out", chains.size(),
                    temperatures * first.getSampler().getChainCount()));
        }
        int lowest = results.get(0).temperatureIndex();
        List<ChainResult> reference = atZero.isEmpty()
                ? results.stream().filter(r -> r.temperatureIndex() == lowest).toList() : atZero;
        if (atZero.isEmpty()) {
            // Only other rungs arrived: estimate from the lowest rung that did, and say so.
            notes.add("no chain of the reference temperature arrived; the LLC is read at temperature " + lowest);
        }
        LlcResult llc = LlcEstimator.estimate(reference);
        int rung = reference.get(0).temperatureIndex();
        SamplerConfig sampler = sorted.stream().filter(c -> c.getTemperatureIndex() == rung).findFirst().orElse(first)
                .getSampler();
        List<String> diagnostics = new ArrayList<>(notes);
        diagnostics.addAll(llc.diagnostics());
        LlcEstimate llcEvent = LlcEstimate.newBuilder()
                .setEventId(eventId(runId, step, "llc"))
                .setRunId(runId)
                .setStep(step)
                .setTimestamp(at)
                .setLlcMean(llc.mean())
                .setLlcStd(llc.std())
                .setChainValues(boxed(llc.perChain()))
                .setCenterLoss(llc.centerLoss())
                .setNBeta(llc.nBeta())
                .setEpsilon(sampler.getEpsilon())
                .setGamma(sampler.getGamma())
                .setChains(llc.chains())
                .setDraws(llc.draws())
                .setPartial(partial)
                .setFractionBelowCenter(llc.fractionBelowCenter())
                .setMalaAcceptance(Double.isNaN(llc.malaAcceptance()) ? null : llc.malaAcceptance())
                .setMeanTrace(boxed(downsample(llc.meanTrace(), TRACE_POINTS)))
                .setDiagnostics(List.copyOf(new java.util.LinkedHashSet<>(diagnostics)))
                .build();
        return new Estimates(llcEvent, dos(results, temperatures, sampler.getGamma(), runId, step, at));
    }

    private static Optional<DosEstimate> dos(List<ChainResult> results, int temperatures, double gamma, String runId,
                                             long step, Instant at) {
        if (temperatures < 2) {
            return Optional.empty();
        }
        double[] nBetas = new double[temperatures];
        for (int t = 0; t < temperatures; t++) {
            int rung = t;
            List<ChainResult> atRung = results.stream().filter(r -> r.temperatureIndex() == rung && !r.diverged())
                    .toList();
            if (atRung.isEmpty()) {
                return Optional.empty();
            }
            nBetas[t] = atRung.get(0).nBeta();
        }
        DosResult dos = DosEstimator.estimate(new SgldSampler.Samples(results.get(0).centerLoss(), nBetas, results),
                gamma);
        return Optional.of(DosEstimate.newBuilder()
                .setEventId(eventId(runId, step, "dos"))
                .setRunId(runId)
                .setStep(step)
                .setTimestamp(at)
                .setLambda(dos.lambda())
                .setLambdaStderr(dos.lambdaStderr())
                .setMultiplicity(dos.multiplicity())
                .setMultiplicityStderr(dos.multiplicityStderr())
                .setLadderNBeta(boxed(dos.nBetas()))
                .setLadderMeanEnergy(boxed(dos.meanEnergy()))
                .setLogDensityT(boxed(dos.logDensityT()))
                .setLogDensity(boxed(dos.logDensity()))
                .setLocalizationDominated(dos.localizationDominated())
                .setDiagnostics(dos.diagnostics())
                .build());
    }

    /** An SgldChain event as slt-core's chain result. */
    public static ChainResult toResult(SgldChain c) {
        SamplerConfig s = c.getSampler();
        double[] losses = new double[c.getLosses().size()];
        for (int i = 0; i < losses.length; i++) {
            losses[i] = c.getLosses().get(i);
        }
        return new ChainResult(c.getChainIndex(), c.getTemperatureIndex(), s.getNBeta(), s.getSeed(), c.getCenterLoss(),
                losses, c.getMeanSquaredDistance() == null ? Double.NaN : c.getMeanSquaredDistance(),
                c.getMalaAcceptance() == null ? Double.NaN : c.getMalaAcceptance(), c.getDiverged(),
                (long) s.getBurnIn() + (long) s.getDraws() * s.getStepsPerDraw(), c.getElapsedMillis() * 1_000_000L,
                c.getDiagnostics());
    }

    static String eventId(String runId, long step, String kind) {
        return UUID.nameUUIDFromBytes((kind + '|' + runId + '|' + step).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static double[] downsample(double[] trace, int points) {
        if (trace.length <= points) {
            return trace;
        }
        double[] out = new double[points];
        double per = (double) trace.length / points;
        for (int i = 0; i < points; i++) {
            int from = (int) Math.floor(i * per);
            int to = Math.max(from + 1, (int) Math.floor((i + 1) * per));
            double sum = 0;
            for (int k = from; k < to; k++) {
                sum += trace[k];
            }
            out[i] = sum / (to - from);
        }
        return out;
    }

    private static List<Double> boxed(double[] xs) {
        List<Double> out = new ArrayList<>(xs.length);
        for (double x : xs) {
            out.add(x);
        }
        return out;
    }
}
