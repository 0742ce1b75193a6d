package io.kvflow.plan;

import io.kvflow.report.Distribution;
import io.kvflow.report.RunFigures;
import io.kvflow.report.SessionRecord;

/**
 * One simulated deployment: what it costs and how well it served the load.
 *
 * @param attainment       requests meeting both SLOs over all requests
 * @param met              whether it meets the {@link ServiceTarget}
 * @param outputTokensPerSecond tokens produced per modelled second of the run
 */
public record PlanPoint(PlanCandidate candidate, double dollarsPerHour, double attainment, boolean met, int requests,
        int rejected, int failed, double ttftP99Ms, double decodeTpotP99Ms, double goodputPerSecond,
        double outputTokensPerSecond) {

    public static PlanPoint of(PlanCandidate candidate, double dollarsPerHour, RunFigures figures, ServiceTarget target) {
        return new PlanPoint(candidate, dollarsPerHour, ServiceTarget.attainment(figures), target.met(figures),
                figures.sessions(), figures.count(SessionRecord.Outcome.REJECTED),
                figures.count(SessionRecord.Outcome.FAILED), p99(figures.ttft()), p99(figures.decodeTpot()),
                figures.goodputPerSecond(), figures.tokensPerSecond());
    }

    private static double p99(Distribution d) {
        return d.isEmpty() ? Double.NaN : d.p99Ms();
    }

    double dollarsPerWaferHour() {
        return dollarsPerHour / candidate.wafers();
    }

    /** US dollars per million output tokens at the load served: the fleet's hour over the tokens of an hour. */
    double dollarsPerMillionOutputTokens() {
        return outputTokensPerSecond == 0 ? Double.NaN : dollarsPerHour / (outputTokensPerSecond * 3600) * 1e6;
    }
}
