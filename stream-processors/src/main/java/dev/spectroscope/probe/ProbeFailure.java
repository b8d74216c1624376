package dev.spectroscope.probe;

/** Why a checkpoint could not be probed; {@code errorType} is the dead letter's. */
public final class ProbeFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String errorType;

    public ProbeFailure(String errorType, String message, Throwable cause) {
        super(message, cause);
        this.errorType = errorType;
    }

    public String errorType() {
        return errorType;
    }
}
