package dev.spectroscope.agent.probe;

import dev.spectroscope.agent.Run;
import dev.spectroscope.events.ProbeConfig;
import dev.spectroscope.events.SgldChain;
import dev.spectroscope.slt.model.LossModel;
import dev.spectroscope.slt.sampler.SgldSampler;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples SGLD chains in the training job, off the training thread, and sends them as SgldChain events
 * (source {@code agent}); the estimator treats them like the probe worker's. The training thread hands over
 * a model that is already a copy of its state (a cloned network, a parameter copy) and returns at once:
 * while one probe samples, at most one more waits, and further ones are skipped and counted — probing never
 * holds training back. Errors are counted and logged once; none reaches the caller.
 */
public final class InJobProber implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InJobProber.class);

    private final Run run;
    private final ProbeConfig config;
    private final SgldSampler sampler;
    private final ThreadPoolExecutor executor;
    private final LongAdder probed = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final AtomicBoolean skipLogged = new AtomicBoolean();
    private final AtomicBoolean failLogged = new AtomicBoolean();

    /**
     * @param threads sampler threads (chains run in parallel on them); one keeps a core free for training
     * @throws IllegalArgumentException when the probe configuration is missing or cannot work
     */
    public InJobProber(Run run, ProbeConfig config, int threads) {
        if (config == null) {
            throw new IllegalArgumentException("in-job probing needs the run's probe settings (RunSpec.probe(...))");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("in-job prober threads must be at least 1, was " + threads);
        }
        this.run = run;
        this.config = config;
        this.sampler = new SgldSampler(threads);
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1), r -> {
            Thread t = new Thread(r, "spectroscope-prober");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        });
    }

    /**
     * Queues a probe of {@code model} at {@code step}; returns false (and counts a skip) when the prober is
     * still busy with the previous ones. {@code model} must not share state with the training model.
     */
    public boolean probe(long step, LossModel model) {
        try {
            executor.execute(() -> sample(step, model));
            return true;
        } catch (RejectedExecutionException e) {
            skipped.increment();
            if (skipLogged.compareAndSet(false, true)) {
                LOG.warn("In-job probing of run {} skips step {}: the previous probe is still sampling (probe less "
                        + "often, or with fewer draws; skips are counted)", run.id(), step);
            }
            return false;
        }
    }

    private void sample(long step, LossModel model) {
        try {
            for (SgldChain chain : ChainProbe.sample(sampler, run.id(), step, config, model, "agent")) {
                run.sgldChain(chain);
            }
            probed.increment();
        } catch (RuntimeException e) {
            failed.increment();
            if (failLogged.compareAndSet(false, true)) {
                LOG.warn("In-job probing of run {} failed at step {}: {} (further failures are counted)", run.id(),
                        step, e.toString());
            }
        }
    }

    /** Steps sampled and sent. */
    public long probedCount() {
        return probed.sum();
    }

    /** Steps skipped because the prober was busy. */
    public long skippedCount() {
        return skipped.sum();
    }

    public long failedCount() {
        return failed.sum();
    }

    /** Waits for probes already handed over, up to {@code timeout}; then stops. */
    public void awaitIdle(long timeout, TimeUnit unit) throws InterruptedException {
        executor.shutdown();
        executor.awaitTermination(timeout, unit);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
