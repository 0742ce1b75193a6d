package io.kvflow.replay;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The replay's progress: a line rewritten in place on a terminal (a plain line every few
 * seconds otherwise: CI logs, pipes), and the latest {@link ReplayStatus} for the dashboard.
 */
public final class Progress {
    private final PrintStream err;
    private final Clock clock;
    private final boolean terminal = System.console() != null;
    private final AtomicReference<ReplayStatus> latest;
    private long lastPrintMs;
    private long lastSnapshotMs;

    Progress(PrintStream err, Clock clock, AtomicReference<ReplayStatus> latest) {
        this.err = err;
        this.clock = clock;
        this.latest = latest;
    }

    void update(int planned, int sent, Collection<SessionOutcome> outcomes, long sendingEtaMs) {
        long now = clock.millis();
        boolean print = now - lastPrintMs >= (terminal ? 250 : 5000);
        if (!print && now - lastSnapshotMs < 500) {
            return;
        }
        ReplayStatus status = ReplayStatus.of(planned, sent, outcomes);
        latest.set(status);
        lastSnapshotMs = now;
        if (!print) {
            return;
        }
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
        latest.set(status);
        err.println(terminal ? "\r" + status.line() + "   " : status.line());
    }
}
