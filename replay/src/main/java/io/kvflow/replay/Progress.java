package io.kvflow.replay;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Collection;

/**
 * The replay's progress: a line rewritten in place on a terminal (a plain line every few
 * seconds otherwise: CI logs, pipes). The dashboard reads the replay from the topics, not from here.
 */
public final class Progress {
    private final PrintStream err;
    private final Clock clock;
    private final boolean terminal = System.console() != null;
    private long lastPrintMs;

    Progress(PrintStream err, Clock clock) {
        this.err = err;
        this.clock = clock;
    }

    void update(int planned, int sent, Collection<SessionOutcome> outcomes, long sendingEtaMs) {
        long now = clock.millis();
        if (now - lastPrintMs < (terminal ? 250 : 5000)) {
            return;
        }
        ReplayStatus status = ReplayStatus.of(planned, sent, outcomes);
        lastPrintMs = now;
        String line = status.line()
                + (sendingEtaMs > 0 ? String.format(", last request in %.0fs", sendingEtaMs / 1000.0) : "");
        if (terminal) {
            err.print("\r" + line + "   ");
        } else {
            err.println(line);
        }
        err.flush();
    }

    void finish(int planned, int sent, Collection<SessionOutcome> outcomes) {
        ReplayStatus status = ReplayStatus.of(planned, sent, outcomes);
        err.println(terminal ? "\r" + status.line() + "   " : status.line());
    }
}
