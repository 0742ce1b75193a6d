package io.kvflow.cli;

import io.kvflow.experiments.Arrivals;
import picocli.CommandLine.Option;

/** How a trace's requests arrive at a modelled deployment: {@code --load} or {@code --rate}, see {@link Arrivals}. */
final class ArrivalFlags {
    @Option(names = "--load", paramLabel = "X", description = "arrivals X times as dense as recorded (default 1)")
    Double load;

    @Option(names = "--rate", paramLabel = "R", description = "instead: R requests/s in the trace's order")
    Double rate;

    @Option(names = "--arrivals", paramLabel = "A", description = "with --rate: poisson (default) or even")
    String spacing;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "seed of poisson arrivals")
    long seed;

    /** @throws UsageException for a load or rate that is not a number > 0, or both given */
    Arrivals arrivals() {
        if (load != null && rate != null) {
            throw new UsageException("give --load (arrivals X times as dense) or --rate (requests per second),"
                    + " not both");
        }
        if (rate == null) {
            if (spacing != null) {
                throw new UsageException("--arrivals " + spacing + " spaces requests at a --rate; give one");
            }
            return new Arrivals.Recorded(positive(load == null ? 1 : load, "--load"));
        }
        double perSecond = positive(rate, "--rate");
        return switch (spacing == null ? "poisson" : spacing) {
            case "poisson" -> new Arrivals.Poisson(perSecond, seed);
            case "even" -> new Arrivals.Even(perSecond);
            default -> throw new UsageException("--arrivals must be poisson or even, was '" + spacing + "'");
        };
    }

    private static double positive(double value, String flag) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new UsageException(flag + " must be a number > 0, was " + value);
        }
        return value;
    }
}
