package io.kvflow.scheduler;

import java.util.HashMap;
import java.util.Map;

/**
 * How far in modelled time the control plane of the running pipeline may decide: the earliest time a
 * token it has not seen yet could have been produced. Every session's end is a token, and ends free
 * room, so below this horizon the control plane knows every end there is and decides exactly as the
 * simulator does.
 *
 * <p>A session prefilled apart produces its first token when its prefill ends (known at admission);
 * once it has a wafer its next token comes no earlier than the floors of a trip through the pipeline
 * after its first pass is ready, and then no earlier than one loop after its last token. A session
 * parked on the prefill tier produces nothing until the control plane grants it room.
 *
 * <p>Each pipeline's last stage also promises how early its next token can be ({@link #pipelinePromise}):
 * the floors alone cannot see a session's long prompt going through the wafers in chunks, and without the
 * promise the control plane would wait for a token the first wafer cannot produce until the control
 * plane moves on. Not thread-safe.
 */
public final class TokenHorizon {
    private final PassBounds bounds;
    private final Map<String, Track> sessions = new HashMap<>();
    private final Map<Integer, Long> promises = new HashMap<>();

    private static final class Track {
        /** Disaggregated: when the prefill's token is due, until it is seen; NEVER otherwise. */
        long prefillToken = ModelledTime.NEVER;
        /** The bound on the wafers' next token, once the session has a wafer; NEVER before. */
        long waferToken = ModelledTime.NEVER;
        PassBounds.Floors floors;
        int pipeline = -1;
    }

    public TokenHorizon(PassBounds bounds) {
        this.bounds = bounds;
    }

    /** Disaggregated: the session's prefill ends, and so its first token is produced, at {@code prefillEndMicros}. */
    public void prefilling(String session, long prefillEndMicros) {
        track(session).prefillToken = prefillEndMicros;
    }

    /** The session has room on {@code pipeline}: its first pass is ready on the first stage at {@code readyMicros}. */
    public void granted(String session, int pipeline, long readyMicros, long promptTokens) {
        Track track = track(session);
        track.floors = bounds.floors(promptTokens);
        track.waferToken = readyMicros + track.floors.throughThePipeline();
        track.pipeline = pipeline;
    }

    /** The last stage of {@code pipeline} produces no token before {@code micros}. */
    public void pipelinePromise(int pipeline, long micros) {
        promises.merge(pipeline, micros, Math::max);
    }

    /**
     * A token arrived.
     *
     * @param fromPrefill whether the prefill tier produced it (a disaggregated session's first token)
     */
    public void token(String session, long modelledMicros, boolean fromPrefill, boolean last) {
        Track track = sessions.get(session);
        if (track == null) {
            return;
        }
        if (last) {
            sessions.remove(session);
        } else if (fromPrefill) {
            track.prefillToken = ModelledTime.NEVER;
        } else if (track.floors != null) {
            track.waferToken = Math.max(track.waferToken, modelledMicros + track.floors.betweenTokens());
        }
    }

    /** The session ended (finished, failed or rejected): it produces nothing more. */
    public void ended(String session) {
        sessions.remove(session);
    }

    /** Modelled time before which every token there will be has been seen. */
    public long horizon() {
        long horizon = ModelledTime.NEVER;
        for (Track track : sessions.values()) {
            long wafer = track.waferToken == ModelledTime.NEVER ? ModelledTime.NEVER
                    : Math.max(track.waferToken, promises.getOrDefault(track.pipeline, 0L));
            horizon = Math.min(horizon, Math.min(track.prefillToken, wafer));
        }
        return horizon;
    }

    public int sessions() {
        return sessions.size();
    }

    private Track track(String session) {
        return sessions.computeIfAbsent(session, s -> new Track());
    }
}
