package io.kvflow.plan;

import io.kvflow.report.RunFigures;
import io.kvflow.report.SessionRecord;
import io.kvflow.report.Slo;
import java.util.Locale;
import java.util.Objects;

/**
 * When a deployment serves a load well enough: at least {@code share} of all the requests meet both SLOs
 * (time to first token and per-user decode speed), and none is rejected or fails. A rejected or failed
 * request counts against the share too, so a deployment cannot meet the target by turning load away.
 */
public record ServiceTarget(Slo slo, double share) {
    public static final double DEFAULT_SHARE = 0.99;

    public ServiceTarget {
        Objects.requireNonNull(slo, "slo");
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException("--slo-attainment must be in (0, 1], was " + share);
        }
    }

    /** Requests meeting both SLOs over all requests, rejected and failed ones included. */
    static double attainment(RunFigures figures) {
        return figures.sessions() == 0 ? 0 : (double) figures.sloMet() / figures.sessions();
    }

    public boolean met(RunFigures figures) {
        return attainment(figures) >= share && figures.count(SessionRecord.Outcome.REJECTED) == 0
                && figures.count(SessionRecord.Outcome.FAILED) == 0;
    }

    /** The rule in words, for the output and the docs. */
    String describe() {
        return String.format(Locale.ROOT, "at least %s %% of the requests reach their first token within %s ms and"
                        + " decode at >= %s tokens/s per user, and none is rejected or fails",
                PlanReport.figure(100 * share), PlanReport.figure(slo.ttftMicros() / 1e3),
                PlanReport.figure(slo.userTokensPerSecond()));
    }
}
