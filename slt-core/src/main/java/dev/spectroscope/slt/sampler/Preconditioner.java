package dev.spectroscope.slt.sampler;

/** How the SGLD step is scaled per coordinate. */
public enum Preconditioner {
    /** Plain SGLD: one step size for every coordinate. */
    NONE("sgld"),
    /** RMSprop-preconditioned SGLD (Li et al. 2016): steps scaled by 1/(√v + δ), v a running mean of g². */
    RMSPROP("rmsprop-sgld");

    private final String algorithm;

    Preconditioner(String algorithm) {
        this.algorithm = algorithm;
    }

    /** Name used in events ({@code SamplerConfig.algorithm}). */
    public String algorithm() {
        return algorithm;
    }

    public static Preconditioner fromAlgorithm(String name) {
        for (Preconditioner p : values()) {
            if (p.algorithm.equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown sampler '" + name + "'; use sgld or rmsprop-sgld");
    }
}
