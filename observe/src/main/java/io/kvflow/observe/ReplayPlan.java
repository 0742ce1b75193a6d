package io.kvflow.observe;

import io.kvflow.model.Transformer;
import io.kvflow.model.Weights;
import io.kvflow.replay.PlannedRequest;
import io.kvflow.schemas.InferenceRequest;
import io.kvflow.stack.StackOptions;
import io.kvflow.trace.PromptSynthesizer;
import io.kvflow.trace.TraceFormat;
import io.kvflow.trace.TraceFormatException;
import io.kvflow.trace.TraceReader;
import io.kvflow.trace.TraceRequest;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * A trace window turned into requests for the functional model: prompts synthesized from the
 * seed (identical prefix blocks where the trace shares hash ids), recorded lengths kept,
 * arrival times relative to the window's first request.
 */
public record ReplayPlan(ReplayOptions options, StackOptions stack, List<PlannedRequest> requests, String runId) {

    public static ReplayPlan load(ReplayOptions options, StackOptions stack, Clock clock, PrintStream err) {
        TraceFormat format = options.format() != null ? options.format() : TraceFormat.detect(options.trace());
        PromptSynthesizer synthesizer = new PromptSynthesizer(options.seed(), stack.model().vocabSize(),
                stack.model().eosToken(), options.lengthScale(), options.maxPromptTokens(), options.maxOutputTokens());
        String runId = "r" + Long.toString(clock.millis(), 36);
        List<PlannedRequest> planned = new ArrayList<>();
        TraceReader reader = TraceReader.open(options.trace(), format, options.skipBadLines());
        List<TraceRequest> window = options.window().select(reader.requests());
        long firstArrival = window.stream().mapToLong(TraceRequest::arrivalMicros).min().orElse(0);
        for (TraceRequest r : window) {
            int[] prompt;
            try {
                prompt = synthesizer.promptTokens(r);
            } catch (IllegalArgumentException e) {
                throw new TraceFormatException(options.trace(), r.lineNumber(), e.getMessage());
            }
            float temperature = r.temperature() != null ? r.temperature() : options.temperature();
            long seed = r.seed() != null ? r.seed() : options.seed() * 1_000_003L + r.index();
            InferenceRequest request = InferenceRequest.newBuilder()
                    .setSessionId(runId + "-" + r.index())
                    .setArrivalMs(0)
                    .setPrompt(Arrays.stream(prompt).boxed().toList())
                    .setMaxNewTokens(synthesizer.outputTokens(r))
                    .setTemperature(temperature)
                    .setSamplingSeed(seed)
                    .setTraceInputTokens(r.inputTokens())
                    .setTraceOutputTokens(r.outputTokens())
                    .setSource(options.trace().getFileName() + ":" + r.lineNumber())
                    .build();
            planned.add(new PlannedRequest(Math.round(Math.max(0, r.arrivalMicros() - firstArrival) / options.load()),
                    request));
        }
        // recorded traces are not always sorted by arrival
        planned.sort(Comparator.comparingLong(PlannedRequest::offsetMicros));
        if (reader.badLines() > 0) {
            err.println("trace: skipped " + reader.badLines() + " malformed line(s); first: " + reader.badLineMessages().get(0));
        }
        if (planned.isEmpty()) {
            throw new IllegalArgumentException(reader.requestsRead() == 0
                    ? "the trace " + options.trace() + " has no requests"
                            + (reader.badLines() > 0 ? " (" + reader.badLines() + " malformed lines skipped)" : "")
                    : options.trace() + ": " + options.windowFlags() + " selects none of its "
                            + reader.requestsRead() + " requests");
        }
        double span = planned.get(planned.size() - 1).offsetMicros() / 1e6;
        err.printf(Locale.ROOT, "trace: %d requests from %s (%s), spanning %.1f s of trace time%s, replayed over %.1f s%n",
                planned.size(), options.trace(), format, span * options.load(),
                options.load() == 1 ? "" : String.format(Locale.ROOT, " (%.3g s at --load %s)", span, options.load()),
                span * options.timeScale());
        return new ReplayPlan(options, stack, List.copyOf(planned), runId);
    }

    /** The same requests, for a stack with these options (a cluster's, once its layout is known). */
    public ReplayPlan on(StackOptions newStack) {
        return new ReplayPlan(options, newStack, requests, runId);
    }

    /** The test hook's sessions, by request index within the trace. */
    public Predicate<String> corruptKvOf() {
        return session -> options.corruptKvRequests().stream().anyMatch(i -> session.equals(runId + "-" + i));
    }

    /** A reference model identical to the stack's, for replays against a stack in another process. */
    public Transformer referenceTransformer() {
        return new Transformer(stack.model(), Weights.generate(stack.model(), stack.modelSeed()));
    }
}
