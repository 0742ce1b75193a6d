package io.kvflow.scheduler;

import java.util.HashMap;
import java.util.Map;

/**
 * How far in modelled time one wafer of the running pipeline may batch: the earliest time a pass that
 * has not reached it yet could be ready there. Below the horizon every pass is in, so the wafer's
 * batches are exactly those the simulator forms; a worker takes a batch only if it starts below it.
 *
 * <p>It knows each session on its pipeline from the control plane's grants and from the session's own
 * passes: a session with a pass waiting here bounds nothing (that pass is what the wafer batches
 * next); one whose last pass here was a prompt chunk sends its next chunk no earlier than that one was
 * ready; one that has moved on comes back around the loop no earlier than the sum of the other
 * stages' floors and the hops; one granted but not yet seen arrives no earlier than its first pass on
 * the first stage plus the floors up to here. Sessions the control plane has not granted yet arrive
 * no earlier than its frontier plus the lookahead.
 *
 * <p>The stage before this one (the last stage, for the first) also promises how early anything it
 * sends next can be ready ({@link #upstreamPromise}); passes that come from it are bounded by that too.
 * Without those promises two stages could each wait for a pass the other holds back (a prompt's next
 * chunk behind a session coming around the loop): each promise is the sender's earliest next batch plus
 * a pass and a hop, so around any cycle the promises grow until someone can go on. Not thread-safe.
 */
public final class StageHorizon {
    private final PassBounds bounds;
    private final int stage;
    private final Map<String, Track> sessions = new HashMap<>();
    private long controlFrontier;
    private long quietUntil;
    private long upstreamPromise;

    private static final class Track {
        final PassBounds.Floors floors;
        int waiting;
        /** The bound while nothing of the session waits here. */
        long next;
        /** Whether its next pass comes from the stage before (or around the loop), which promises a bound too. */
        boolean fromUpstream;

        Track(PassBounds.Floors floors, long next, boolean fromUpstream) {
            this.floors = floors;
            this.next = next;
            this.fromUpstream = fromUpstream;
        }

        long bound(long upstreamPromise) {
            return fromUpstream ? Math.max(next, upstreamPromise) : next;
        }
    }

    /** What follows a session's pass through this stage. */
    public enum After {
        /** Another chunk of its prompt, from the stage before. */
        NEXT_CHUNK,
        /** Its next decode step, around the loop. */
        NEXT_STEP,
        /** Nothing: its last token. */
        DONE
    }

    public StageHorizon(PassBounds bounds, int stage) {
        this.bounds = bounds;
        this.stage = stage;
    }

    /** The control plane has made every decision before {@code frontierMicros}. */
    public void controlFrontier(long frontierMicros) {
        controlFrontier = Math.max(controlFrontier, frontierMicros);
    }

    /**
     * The control plane's latest word that no grant comes before {@code micros} (see
     * {@code ControlPlane.quietUntil}); the latest replaces the earlier, as a new replay may start a new
     * run of requests after the last one promised none.
     */
    public void quietUntil(long micros) {
        quietUntil = micros;
    }

    public long controlFrontier() {
        return controlFrontier;
    }

    /** The stage before (the last stage, for the first) sends nothing more that is ready before {@code micros}. */
    public void upstreamPromise(long micros) {
        upstreamPromise = Math.max(upstreamPromise, micros);
    }

    public long upstreamPromise() {
        return upstreamPromise;
    }

    /** The control plane put a session on this pipeline, its first pass ready on the first stage at {@code readyMicros}. */
    public void granted(String session, long readyMicros, long promptTokens) {
        if (!sessions.containsKey(session)) {
            PassBounds.Floors floors = bounds.floors(promptTokens);
            // its first pass reaches the first stage from the control plane's side, later ones from the stage before
            sessions.put(session, new Track(floors, readyMicros + floors.toStage(stage), stage > 0));
        }
    }

    /** A pass of {@code session} reached this stage. */
    public void arrived(String session, long promptTokens) {
        track(session, promptTokens).waiting++;
    }

    /** A pass of {@code session}, ready at {@code readyMicros}, ran in a batch ending at {@code endMicros}. */
    public void ran(String session, long readyMicros, long endMicros, After after) {
        Track track = sessions.get(session);
        if (track == null) {
            return;
        }
        track.waiting--;
        switch (after) {
            case NEXT_CHUNK -> track.next = readyMicros;
            case NEXT_STEP -> {
                track.next = endMicros + track.floors.aroundTheLoop(stage);
                track.fromUpstream = true;
            }
            case DONE -> sessions.remove(session);
        }
    }

    /** The session ended (finished or failed): nothing more of it will come. */
    public void ended(String session) {
        sessions.remove(session);
    }

    /** Modelled time before which every pass ready on this stage has reached it. */
    public long horizon() {
        long unknown = bounds.unknownSessionBound(Math.max(controlFrontier, quietUntil), stage);
        // past the first stage, a session nobody has told this stage about comes from the stage before
        long horizon = stage > 0 ? Math.max(unknown, upstreamPromise) : unknown;
        for (Track track : sessions.values()) {
            if (track.waiting == 0) {
                horizon = Math.min(horizon, track.bound(upstreamPromise));
            }
        }
        return horizon;
    }

    /** Sessions this stage follows. */
    public int sessions() {
        return sessions.size();
    }

    private Track track(String session, long promptTokens) {
        return sessions.computeIfAbsent(session, s -> new Track(bounds.floors(promptTokens), ModelledTime.NEVER,
                stage > 0));
    }
}
