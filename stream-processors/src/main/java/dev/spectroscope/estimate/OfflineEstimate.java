package dev.spectroscope.estimate;

import dev.spectroscope.blob.BlobStore;
import dev.spectroscope.events.Checkpoint;
import dev.spectroscope.events.RunStarted;
import dev.spectroscope.events.SgldChain;
import dev.spectroscope.probe.CheckpointProber;
import java.util.List;

/**
 * One checkpoint's estimates computed in this process, by the same code the pipeline runs (the probe
 * worker's sampling, the estimator's arithmetic): {@code spectroscope estimate}, and the reference the
 * pipeline's output is checked against.
 */
public final class OfflineEstimate {

    private OfflineEstimate() {
    }

    public static ChainEstimates.Estimates of(RunStarted run, Checkpoint checkpoint, BlobStore blobs, int threads) {
        List<SgldChain> chains = new CheckpointProber(blobs, threads).probe(run, checkpoint);
        if (chains.isEmpty()) {
            throw new IllegalArgumentException("run " + run.getRunId() + " has no probe settings (RunStarted.probe); "
                    + "there is nothing to estimate");
        }
        return ChainEstimates.of(chains, false, checkpoint.getTimestamp());
    }
}
