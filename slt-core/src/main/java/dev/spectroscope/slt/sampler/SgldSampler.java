package dev.spectroscope.slt.sampler;

import dev.spectroscope.slt.model.LossModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the chains of a probe — {@code chains} per temperature over a ladder of nβ multipliers — on a
 * bounded thread pool. Each chain has its own evaluator and a seed derived from the root seed and its
 * place, so the result is the same bit for bit whatever the thread count. With replica exchange
 * ({@link SgldSettings#exchangeEvery()}) the rungs of one chain index run together in one job.
 */
public final class SgldSampler {

    private final int threads;

    /** @param threads the most chains run at once */
    public SgldSampler(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, was " + threads);
        }
        this.threads = threads;
    }

    /** Everything a probe produced: the centre's loss and every chain, ordered by temperature then chain. */
    public record Samples(double centerLoss, double[] nBetas, List<ChainResult> chains) {

        public List<ChainResult> atTemperature(int temperatureIndex) {
            List<ChainResult> out = new java.util.ArrayList<>(); // a loop: the estimator calls this per checkpoint
            for (ChainResult c : chains) {
                if (c.temperatureIndex() == temperatureIndex) {
                    out.add(c);
                }
            }
            return java.util.Collections.unmodifiableList(out);
        }
    }

    /** One temperature, the settings' nβ (or n / log n). */
    public Samples sample(LossModel model, SgldSettings settings) {
        return sample(model, settings, new double[] {1.0});
    }

    /**
     * Chains at nβ × each multiplier of the ladder.
     *
     * @param ladder multipliers of the base nβ, e.g. {0.5, 1, 2}
     */
    public Samples sample(LossModel model, SgldSettings settings, double[] ladder) {
        double[] center = model.center();
        double centerLoss = model.newEvaluator().fullLoss(center);
        if (!Double.isFinite(centerLoss)) {
            throw new IllegalArgumentException("the loss at the centre is " + centerLoss + " for " + model.describe()
                    + "; a probe needs a finite loss there");
        }
        double base = settings.nBetaFor(model.sampleCount());
        double[] nBetas = new double[ladder.length];
        for (int t = 0; t < ladder.length; t++) {
            nBetas[t] = base * ladder[t];
        }
        LocalizedSgld sgld = new LocalizedSgld(model, settings);
        boolean exchange = settings.exchangeEvery() > 0 && ladder.length > 1;
        List<Future<List<ChainResult>>> futures = new ArrayList<>();
        int jobs = exchange ? settings.chains() : ladder.length * settings.chains();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, jobs), daemonThreads());
        try {
            if (exchange) {
                // One job per chain index: its rungs move in lockstep and trade positions.
                for (int c = 0; c < settings.chains(); c++) {
                    int chain = c;
                    futures.add(pool.submit(() -> new ReplicaExchange(sgld, settings).run(model, center, centerLoss,
                            nBetas, ladder, chain)));
                }
            } else {
                for (int t = 0; t < ladder.length; t++) {
                    for (int c = 0; c < settings.chains(); c++) {
                        int temperature = t;
                        int chain = c;
                        futures.add(pool.submit(() -> List.of(sgld.run(model.newEvaluator(), center, centerLoss,
                                nBetas[temperature], ladder[temperature], chain, temperature))));
                    }
                }
            }
            List<ChainResult> results = new ArrayList<>();
            for (Future<List<ChainResult>> f : futures) {
                results.addAll(f.get());
            }
            results.sort(Comparator.comparingInt(ChainResult::temperatureIndex).thenComparingInt(ChainResult::chainIndex));
            return new Samples(centerLoss, nBetas, List.copyOf(results));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sampling " + model.describe(), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a chain failed on " + model.describe() + ": " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "sgld-chain-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
