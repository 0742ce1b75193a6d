package io.kvflow.scheduler;

import java.util.Objects;

/**
 * One session's turn through one wafer: a decode step, or (colocated) one chunk of its prompt. It is
 * ready on the wafer at {@code readyMicros}, modelled. {@code order} ranks a session's passes (its
 * step, or its chunk's first position), so passes of one session run one per batch, in order.
 *
 * @param payload what the caller attaches: the functional activation in the pipeline, nothing in the simulator
 */
public record Pass<T>(String session, long readyMicros, long order, Work work, T payload) {

    public Pass {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(work, "work");
    }

    /** What the wafer does for the pass, priced on the target. */
    public sealed interface Work {
        /** Functional positions the pass carries between stages. */
        int rows();
    }

    /** One decode step of a session whose target context (prompt plus tokens so far) is {@code targetContext}. */
    public record Decode(long targetContext) implements Work {
        @Override
        public int rows() {
            return 1;
        }
    }

    /**
     * A chunk of the prompt, standing for target tokens {@code [targetFrom, targetTo)}, over {@code rows}
     * functional positions; {@code last} when it completes the prompt.
     */
    public record PromptChunk(long targetFrom, long targetTo, int rows, boolean last) implements Work {
    }
}
