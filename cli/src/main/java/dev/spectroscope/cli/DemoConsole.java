package dev.spectroscope.cli;

import java.io.PrintStream;

/**
 * What the demo prints: event lines, and one status line (training step, checkpoints sampled) that is
 * redrawn in place on a terminal and printed every tenth of the way otherwise (CI logs, pipes).
 */
final class DemoConsole {

    private final PrintStream out;
    private final boolean terminal;
    private String status = "";
    private int lastDecile = -1;

    DemoConsole(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    synchronized void line(String text) {
        if (terminal && !status.isEmpty()) {
            out.print("\r\033[K");
        }
        out.println(text);
        if (terminal && !status.isEmpty()) {
            out.print(status);
        }
        out.flush();
    }

    /** Training at {@code step} of {@code steps}, {@code sampled} of {@code checkpoints} estimated. */
    synchronized void progress(long step, int steps, int sampled, int checkpoints) {
        long done = Math.min(steps, step + 1);
        String text = String.format("  %s training %,d/%,d · sampled %d/%d checkpoints", bar(done, steps), done, steps,
                sampled, checkpoints);
        if (terminal) {
            status = text;
            out.print("\r\033[K" + text);
            out.flush();
            return;
        }
        int decile = (int) (10 * done / Math.max(1, steps));
        if (decile != lastDecile) {
            lastDecile = decile;
            out.println(text.strip());
            out.flush();
        }
    }

    synchronized void endStatus() {
        if (terminal && !status.isEmpty()) {
            out.print("\r\033[K");
            out.flush();
        }
        status = "";
    }

    private static String bar(long done, int total) {
        int width = 20;
        int filled = (int) Math.round(width * (double) done / Math.max(1, total));
        return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "]";
    }
}
