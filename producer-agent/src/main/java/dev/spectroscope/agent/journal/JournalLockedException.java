package dev.spectroscope.agent.journal;

import java.nio.file.Path;

/** Another process (a running agent or an {@code agent sync}) holds this journal. */
public final class JournalLockedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public JournalLockedException(Path dir) {
        super("the journal in " + dir + " is in use by another process; wait for it to finish or stop it");
    }
}
