package dev.spectroscope.slt.sampler;

/**
 * Robbins–Monro on the log of a step size towards a target acceptance during burn-in. At burn-in's last step the
 * size is fixed at the mean of its log over burn-in's second half: the gain is small beside burn-in's length, so the
 * size wanders by a few per cent around the value that gives the target, and every recorded step uses that one size.
 */
final class BurnInSteering {

    private final double gain;
    private final double target;
    private final long burnIn;
    private double log;
    private double sum;
    private long count;

    BurnInSteering(double start, double gain, double target, long burnIn) {
        this.gain = gain;
        this.target = target;
        this.burnIn = burnIn;
        this.log = Math.log(start);
    }

    /** One update from an acceptance probability seen at burn-in step {@code step}; returns the size to use next. */
    double update(double acceptance, long step) {
        log += gain * (acceptance - target);
        if (step >= burnIn / 2) {
            sum += log;
            count++;
        }
        return Math.exp(step == burnIn - 1 && count > 0 ? sum / count : log);
    }
}
