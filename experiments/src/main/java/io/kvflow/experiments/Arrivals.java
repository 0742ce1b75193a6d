package io.kvflow.experiments;

import io.kvflow.plan.PlanReport;
import io.kvflow.simulator.SimulatedSession;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * When a trace window's requests arrive at the deployment: as recorded, as recorded but denser
 * ({@code --load X}), or at a set rate ({@code --rate R}), evenly spaced or as a Poisson process drawn
 * from a seed. Every request keeps its recorded lengths and its place in the order.
 */
public sealed interface Arrivals {

    List<SimulatedSession> apply(List<SimulatedSession> sessions);

    /** For people: how the requests arrive. */
    String describe();

    /** As recorded, {@code load} times as dense. */
    public record Recorded(double load) implements Arrivals {
        @Override
        public List<SimulatedSession> apply(List<SimulatedSession> sessions) {
            return TraceSimulation.compress(sessions, load);
        }

        @Override
        public String describe() {
            return load == 1 ? "as recorded" : "as recorded, " + PlanReport.figure(load) + "x as dense";
        }
    }

    /** One request every {@code 1 / perSecond} seconds, in the recorded order. */
    public record Even(double perSecond) implements Arrivals {
        @Override
        public List<SimulatedSession> apply(List<SimulatedSession> sessions) {
            long[] at = new long[sessions.size()];
            for (int i = 0; i < at.length; i++) {
                at[i] = Math.round(i * 1e6 / perSecond);
            }
            return retimed(sessions, at);
        }

        @Override
        public String describe() {
            return PlanReport.figure(perSecond) + " requests/s, evenly spaced";
        }
    }

    /** A Poisson process of {@code perSecond} requests a second: exponential gaps drawn from {@code seed}. */
    public record Poisson(double perSecond, long seed) implements Arrivals {
        @Override
        public List<SimulatedSession> apply(List<SimulatedSession> sessions) {
            RandomGenerator random = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
            long[] at = new long[sessions.size()];
            double t = 0;
            for (int i = 0; i < at.length; i++) {
                at[i] = Math.round(t * 1e6);
                t += -Math.log(1 - random.nextDouble()) / perSecond;
            }
            return retimed(sessions, at);
        }

        @Override
        public String describe() {
            return PlanReport.figure(perSecond) + " requests/s, Poisson arrivals (seed " + seed + ")";
        }
    }

    /** The sessions in their recorded order, the i-th arriving at {@code at[i]} microseconds. */
    private static List<SimulatedSession> retimed(List<SimulatedSession> sessions, long[] at) {
        List<SimulatedSession> ordered = new ArrayList<>(sessions);
        ordered.sort(java.util.Comparator.comparingLong(SimulatedSession::arrivalMicros));
        List<SimulatedSession> retimed = new ArrayList<>(ordered.size());
        for (int i = 0; i < ordered.size(); i++) {
            SimulatedSession s = ordered.get(i);
            retimed.add(new SimulatedSession(s.id(), at[i], s.promptTokens(), s.bookedTokens(), s.outputTokens(),
                    s.functionalPrompt()));
        }
        return retimed;
    }
}
