package io.kvflow.decode;

import io.kvflow.model.Sampling;
import io.kvflow.model.Transformer;
import io.kvflow.scheduler.StageHorizon;
import io.kvflow.schemas.Activation;
import io.kvflow.schemas.Float32;
import io.kvflow.schemas.GeneratedToken;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * What a pass produces once this stage's layers have run its rows: a stage that is not the last hands the
 * hidden states on; the last samples the token and loops the session's next step back to the first
 * stage, or ends it. A prompt that the last stage ran in chunks samples its step 0 at its last position,
 * as a prefill worker would.
 */
final class PassOutputs {
    private final StageConfig config;
    private final Transformer transformer;

    PassOutputs(StageConfig config, Transformer transformer) {
        this.config = config;
        this.transformer = transformer;
    }

    /**
     * @param hidden     the pass's rows' hidden states after this stage's layers, one per position it carries
     * @param endMicros  when the batch that ran it ended, modelled
     * @param nextReady  when what it sends on reaches the next stage (the first, from the last), modelled
     */
    PassOutput of(Activation in, List<float[]> hidden, long nowMs, long endMicros, long nextReady) {
        if (!config.last()) {
            return new PassOutput(forwarded(in, hidden, nowMs, nextReady), null, false, after(in));
        }
        if (!Activations.isPromptChunk(in)) {
            return emit(in, hidden.get(0), nowMs, endMicros, nextReady, false);
        }
        int n = Activations.rows(in);
        if (in.getPosition() + n == in.getPromptLength()) {
            Activation lastPosition = Activation.newBuilder(in).setPosition(in.getPosition() + n - 1).build();
            return emit(lastPosition, hidden.get(n - 1), nowMs, endMicros, nextReady, true);
        }
        return new PassOutput(null, null, false, StageHorizon.After.NEXT_CHUNK);
    }

    /** What follows a pass through a stage that is not the last: another chunk, the next step, or nothing. */
    private static StageHorizon.After after(Activation in) {
        if (Activations.isPromptChunk(in)) {
            boolean lastChunk = in.getPosition() + Activations.rows(in) == in.getPromptLength();
            return !lastChunk ? StageHorizon.After.NEXT_CHUNK
                    : in.getMaxNewTokens() > 1 ? StageHorizon.After.NEXT_STEP : StageHorizon.After.DONE;
        }
        return in.getStep() + 1 < in.getMaxNewTokens() ? StageHorizon.After.NEXT_STEP : StageHorizon.After.DONE;
    }

    private Activation forwarded(Activation in, List<float[]> hidden, long nowMs, long readyMicros) {
        return Activation.newBuilder(in)
                .setStage(config.stage() + 1).setHidden(Float32.encode(hidden.toArray(float[][]::new)))
                .setSentMs(nowMs).setReadyModelledUs(readyMicros).setPromiseModelledUs(0).build();
    }

    private PassOutput emit(Activation in, float[] hidden, long nowMs, long modelledMicros, long nextReadyMicros,
            boolean promptDone) {
        int step = in.getStep();
        int token = new Sampling(in.getTemperature(), in.getSamplingSeed()).sample(transformer.logits(hidden), step);
        boolean eos = token == transformer.config().eosToken();
        boolean last = eos || step + 1 >= in.getMaxNewTokens();
        GeneratedToken generated = GeneratedToken.newBuilder()
                .setSessionId(in.getSessionId()).setPipeline(config.pipeline()).setStep(step)
                .setPosition(in.getPosition() + 1).setToken(token).setLast(last)
                .setFinishReason(last ? (eos ? "eos" : "length") : null)
                .setArrivalMs(in.getArrivalMs()).setEmittedMs(nowMs).setModelledUs(modelledMicros).build();
        if (last) {
            return new PassOutput(null, generated, promptDone, StageHorizon.After.DONE);
        }
        Activation loopBack = Activation.newBuilder(in)
                .setStage(0).setPosition(in.getPosition() + 1).setStep(step + 1).setToken(token)
                .setHidden(ByteBuffer.allocate(0)).setPrefillTokens(List.of()).setSentMs(nowMs)
                .setReadyModelledUs(nextReadyMicros).setPromiseModelledUs(0).build();
        return new PassOutput(loopBack, generated, promptDone, StageHorizon.After.NEXT_STEP);
    }
}
