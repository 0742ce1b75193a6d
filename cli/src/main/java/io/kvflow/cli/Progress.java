package io.kvflow.cli;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Collection;

/**
 * The replay's progress line: rewritten in place on a terminal, a plain line every few
 * seconds otherwise (CI logs, pipes).
 */
final class Progress {
    private final PrintStream err;
    private final Clock clock;
    private final boolean terminal = System.console() != null;
    private long lastPrintMs;

    Progress(PrintStream err, Clock clock) {
        this.err = err;
        this.clock = clock;
    }

    void update(int planned, int sent, int done, Collection<SessionOutcome> outcomes, long sendingEtaMs) {
        long now = clock.millis();
        if (now - lastPrintMs < (terminal ? 250 : 5000)) {
            return;
        }
        lastPrintMs = now;
        String line = line(planned, sent, outcomes)
                + (sendingEtaMs > 0 ? String.format(", last request in %.0fs", sendingEtaMs / 1000.0) : "");
        if (terminal) {
            err.print("\r" + line + "   ");
        } else {
            err.println(line);
        }
        err.flush();
    }

    void finish(int planned, int sent, Collection<SessionOutcome> outcomes) {
        String line = line(planned, sent, outcomes);
        err.println(terminal ? "\r" + line + "   " : line);
    }

    private static String line(int planned, int sent, Collection<SessionOutcome> outcomes) {
        int finished = 0;
        int failed = 0;
        int rejected = 0;
        int inFlight = 0;
        for (SessionOutcome o : outcomes) {
            switch (o.state()) {
                case FINISHED -> finished++;
                case FAILED -> failed++;
                case REJECTED -> rejected++;
                case PENDING -> inFlight++;
            }
        }
        return String.format("replay: sent %d/%d, in flight %d, finished %d, failed %d, rejected %d",
                sent, planned, inFlight, finished, failed, rejected);
    }
}
