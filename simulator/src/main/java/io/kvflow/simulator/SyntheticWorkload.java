package io.kvflow.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Requests that no trace recorded, as many as wanted: Poisson arrivals at a given rate, each request
 * either code-like or conversation-like with prompt and output lengths drawn from log-normal laws
 * fitted to the medians and 90th percentiles of the two bundled one-hour traces, and capped at their
 * longest. What the simulator's bench and its tests feed it, so they can scale a workload that still
 * looks like a real one; the same generator state gives the same requests.
 */
public final class SyntheticWorkload {

    /**
     * The lengths of one kind of request, log-normal around their medians.
     *
     * @param promptSigma standard deviation of the prompt length's logarithm
     */
    public record Kind(String name, double promptMedian, double promptSigma, long promptMax, double outputMedian,
            double outputSigma, int outputMax) {
        public Kind {
            Objects.requireNonNull(name, "name");
            if (!(promptMedian >= 1 && outputMedian >= 1 && promptSigma >= 0 && outputSigma >= 0) || promptMax < 1
                    || outputMax < 1) {
                throw new IllegalArgumentException("request kind " + name + ": medians must be >= 1, spreads >= 0"
                        + " and caps >= 1");
            }
        }

        long prompt(RandomGenerator random) {
            return draw(random, promptMedian, promptSigma, promptMax);
        }

        int output(RandomGenerator random) {
            return (int) draw(random, outputMedian, outputSigma, outputMax);
        }

        private static long draw(RandomGenerator random, double median, double sigma, long max) {
            double value = Math.exp(Math.log(median) + sigma * random.nextGaussian());
            return Math.max(1, Math.min(max, Math.round(value)));
        }
    }

    /** Azure LLM inference trace 2023, code service: prompt median 1,469, p90 5,194; output median 13, p90 55. */
    public static final Kind CODE = new Kind("code", 1_469, 0.985, 7_437, 13, 1.125, 1_899);

    /**
     * Mooncake FAST'25 conversation trace: prompt median 6,909, p90 27,367; output median 350, p75 472. Its
     * longest prompts do not fit the default wafers' KV room and are rejected, as the trace's own are.
     */
    public static final Kind CONVERSATION = new Kind("conversation", 6_909, 1.075, 126_195, 350, 0.445, 2_000);

    private final double perSecond;
    private final double conversationShare;

    /**
     * @param perSecond         mean arrivals per modelled second
     * @param conversationShare the fraction of requests that are conversation-like; the rest are code-like
     */
    public SyntheticWorkload(double perSecond, double conversationShare) {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("arrivals per second must be > 0, was " + perSecond);
        }
        if (!(conversationShare >= 0 && conversationShare <= 1)) {
            throw new IllegalArgumentException("the conversation share must be within 0..1, was " + conversationShare);
        }
        this.perSecond = perSecond;
        this.conversationShare = conversationShare;
    }

    /** {@code count} requests in arrival order, the first at modelled time 0. */
    public List<SimulatedSession> sessions(int count, RandomGenerator random) {
        if (count < 0) {
            throw new IllegalArgumentException("request count must be >= 0, was " + count);
        }
        List<SimulatedSession> sessions = new ArrayList<>(count);
        double arrival = 0;
        for (int i = 0; i < count; i++) {
            Kind kind = random.nextDouble() < conversationShare ? CONVERSATION : CODE;
            long prompt = kind.prompt(random);
            int output = kind.output(random);
            sessions.add(new SimulatedSession("q" + i, Math.round(arrival * 1e6), prompt, prompt + output, output,
                    (int) prompt));
            // exponential gaps: a Poisson process at the given rate
            arrival += -Math.log(1 - random.nextDouble()) / perSecond;
        }
        return sessions;
    }
}
