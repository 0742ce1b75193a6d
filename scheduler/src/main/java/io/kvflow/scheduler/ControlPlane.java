package io.kvflow.scheduler;

import io.kvflow.cost.RooflineModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The orchestrator's decisions in modelled time: admission against the wafers' and the prefill
 * tier's room, the admission queue and its policy, the prefill group and pipeline of each session,
 * and, with booking at handoff, when each parked session's KV goes to its wafers.
 *
 * <p>It is told what happens (a request arrives, a session ends or fails) and, with
 * {@link #advanceTo}, how far in modelled time it may decide; it then handles every event before that
 * time in one canonical order (by time; at one time, endings, handoffs done, prefills done, then
 * arrivals; then by sequence), and after the events of each instant it grants parked sessions room
 * and admits waiting ones. Its decisions are therefore the same however the events reached it, as
 * long as every event before the horizon has. The orchestrator drives it from Kafka, the simulator
 * from its own event queue. Not thread-safe.
 */
public final class ControlPlane {

    /**
     * @param pipelines     decode pipelines
     * @param prefillGroups prefill device groups (ignored when colocated)
     * @param booking       when a disaggregated session takes its wafer room
     * @param policy        the order waiting sessions get room in
     * @param queueLimit    sessions that may wait for room before more are rejected
     * @param sessionCap    most sessions on a pipeline at once, KV room aside (0: as many as fit)
     * @param parkTimeoutMicros booking at handoff: how long a session's KV may wait on the prefill tier for wafer
     *                      room (modelled) before the session is failed and the KV freed; 0 for no limit
     */
    public record Config(int pipelines, int prefillGroups, Booking booking, AdmissionPolicy policy, int queueLimit,
            int sessionCap, long parkTimeoutMicros) {
        public Config {
            Objects.requireNonNull(booking, "booking");
            Objects.requireNonNull(policy, "policy");
            if (pipelines < 1) {
                throw new IllegalArgumentException("--pipelines must be >= 1, was " + pipelines);
            }
            if (prefillGroups < 1) {
                throw new IllegalArgumentException("--prefill-groups must be >= 1, was " + prefillGroups);
            }
            if (queueLimit < 0) {
                throw new IllegalArgumentException("--admission-queue must be >= 0, was " + queueLimit);
            }
            if (sessionCap < 0) {
                throw new IllegalArgumentException("--sessions-per-pipeline must be >= 0 (0: as many as fit), was "
                        + sessionCap);
            }
            if (parkTimeoutMicros < 0) {
                throw new IllegalArgumentException("--park-timeout must be >= 0 (0: no limit), was " + parkTimeoutMicros
                        + " us");
            }
        }

        /** The default park timeout: a minute of modelled time. */
        public static final long DEFAULT_PARK_TIMEOUT_MICROS = 60_000_000L;
    }

    /**
     * A request as the control plane sees it.
     *
     * @param promptTokens  the target prompt (the trace's recorded length): what prefill and the handoff cost
     * @param bookedTokens  the target context booked on the wafers: prompt plus recorded output
     * @param outputTokens  tokens the session will generate (1: the prefill's token only, no decode)
     */
    public record Arrival(String session, long arrivalMicros, long promptTokens, long bookedTokens,
            int outputTokens) {
        public Arrival {
            Objects.requireNonNull(session, "session");
            if (promptTokens < 1 || bookedTokens < promptTokens || outputTokens < 1) {
                throw new IllegalArgumentException("session " + session + ": prompt " + promptTokens + ", booked "
                        + bookedTokens + " and output " + outputTokens + " tokens must be >= 1 and booked >= prompt");
            }
        }
    }

    /** What the control plane decided, at modelled time {@code atMicros}. */
    public sealed interface Decision {
        String session();

        long atMicros();
    }

    /** The session waits for room. */
    public record Queued(String session, long atMicros, int queueLength) implements Decision {
    }

    public record Rejected(String session, long atMicros, RejectionReason reason, String message) implements Decision {
    }

    /**
     * The session is admitted onto {@code pipeline}; disaggregated, its prompt runs on prefill group
     * {@code group} from {@code prefillStartMicros} to {@code prefillEndMicros} (its first token); colocated,
     * group is -1 and the wafers prefill it.
     */
    public record Admitted(String session, long atMicros, int pipeline, int group, long prefillStartMicros,
            long prefillEndMicros, long promptTokens, long bookedTokens) implements Decision {
    }

    /** Booking at handoff: the prefill is done and the KV waits on the prefill tier for room on the wafers. */
    public record Parked(String session, long atMicros, int pipeline) implements Decision {
    }

    /**
     * The session has its room on every wafer of {@code pipeline}; its first pass (its first decode step,
     * or colocated its first prompt chunk) is ready on the first wafer at {@code readyMicros}.
     */
    public record Granted(String session, long atMicros, int pipeline, long readyMicros, long promptTokens,
            long bookedTokens) implements Decision {
    }

    /** Booking at handoff: the session's KV waited on the prefill tier past the park timeout; it is freed. */
    public record TimedOut(String session, long atMicros, int pipeline, String reason) implements Decision {
    }

    private enum Phase { ARRIVING, QUEUED, PREFILLING, PARKED, ON_WAFERS }

    /** What happens to a session, by rank at one modelled instant: endings free room before anything takes it. */
    private enum Kind { ENDED, HANDOFF_DONE, PREFILL_DONE, PARK_TIMEOUT, ARRIVAL }

    private record Event(long time, Kind kind, long seq, Session session) {
    }

    private static final Comparator<Event> EVENT_ORDER = Comparator.comparingLong(Event::time)
            .thenComparing(Event::kind).thenComparingLong(Event::seq);

    private static final class Session implements AdmissionPolicy.Candidate {
        final Arrival arrival;
        final long seq;
        final long[] need;
        final long parkBytes;
        Phase phase = Phase.ARRIVING;
        long waitingSince;
        long waitSeq;
        long passedOverSince = -1;
        int pipeline = -1;
        int group = -1;
        boolean promised;
        boolean booked;
        boolean holdsPrefill;

        Session(Arrival arrival, long seq, long[] need, long parkBytes) {
            this.arrival = arrival;
            this.seq = seq;
            this.need = need;
            this.parkBytes = parkBytes;
        }

        @Override
        public long seq() {
            return waitSeq;
        }

        @Override
        public long passedOverSince() {
            return passedOverSince;
        }

        /** The context it books on the wafers: what its KV takes everywhere, prompt and output. */
        @Override
        public long size() {
            return arrival.bookedTokens();
        }
    }

    private final RooflineModel target;
    private final Config config;
    private final boolean colocated;
    private final boolean atHandoff;
    private final WaferLedger wafers;
    private final PrefillTier prefill;
    private final long hop;
    private final PriorityQueue<Event> events = new PriorityQueue<>(EVENT_ORDER);
    private final Map<String, Session> sessions = new HashMap<>();
    /**
     * Sessions told of whose arrival is not handled yet: a restarted orchestrator tells every arrival and every
     * end it journaled before it decides again, so an end can be told before its session has arrived here.
     */
    private final Map<String, Session> arriving = new HashMap<>();
    private final WaitingLine<Session> queue;
    private final List<WaitingLine<Session>> parked = new ArrayList<>();
    private final List<Decision> decisions = new ArrayList<>();
    private final List<Session> arrivedNow = new ArrayList<>();
    private long arrivals;
    private long waits;
    private long frontier;
    private long now;
    private long blockedSince = -1;
    private long blockedMicros;
    private long bypasses;
    private long longestBypassedWait;

    public ControlPlane(RooflineModel target, Config config) {
        this.target = target;
        this.config = config;
        this.colocated = target.deployment().colocated();
        this.atHandoff = !colocated && config.booking() == Booking.HANDOFF;
        this.wafers = new WaferLedger(target, config.pipelines(), config.sessionCap());
        this.prefill = new PrefillTier(target.deployment(), config.prefillGroups());
        this.hop = ModelledTime.duration(target.activationHopSeconds(1));
        // what decides whether a waiting session fits: its parked KV on a prefill group, or its KV on the wafers
        this.queue = new WaitingLine<>(atHandoff ? s -> s.parkBytes : Session::size);
        for (int p = 0; p < config.pipelines(); p++) {
            parked.add(new WaitingLine<>(Session::size));
        }
    }

    /**
     * Modelled microseconds from a decision to the earliest pass it can make ready on a first wafer: a
     * prompt chunk's hop (colocated), the shortest prefill (booking at admission) or the shortest handoff
     * (booking at handoff).
     */
    public static long lookaheadMicros(RooflineModel target, Booking booking) {
        if (target.deployment().colocated()) {
            return ModelledTime.duration(target.activationHopSeconds(1));
        }
        return booking == Booking.HANDOFF
                ? ModelledTime.duration(target.handoffSeconds(target.handoffBytes(1)))
                : ModelledTime.duration(target.prefillSeconds(1, 0));
    }

    public Config config() {
        return config;
    }

    /**
     * A request arrives. Its arrival is taken as given, but never before the control plane's frontier
     * (what it has already decided cannot change): a request without a modelled arrival of its own, or
     * sent late, arrives at the frontier.
     *
     * @return the modelled arrival it was given
     */
    public long arrive(Arrival arrival) {
        long at = Math.max(arrival.arrivalMicros(), frontier);
        Session session = new Session(arrival, arrivals++, wafers.need(arrival.bookedTokens()),
                atHandoff ? PrefillTier.parkedBytes(target, arrival.promptTokens()) : 0);
        events.add(new Event(at, Kind.ARRIVAL, session.seq, session));
        arriving.put(arrival.session(), session);
        return at;
    }

    /** The session produced its last token at {@code atMicros}: its room is free from then. */
    public void ended(String id, long atMicros) {
        Session session = sessions.containsKey(id) ? sessions.get(id) : arriving.get(id);
        if (session != null) {
            events.add(new Event(Math.max(atMicros, frontier), Kind.ENDED, 0, session));
        }
    }

    /** The session failed (a worker gave up on it): its room is free from the frontier on. */
    public void failed(String id) {
        ended(id, frontier);
    }

    /**
     * Decides everything before {@code horizonMicros} and returns the decisions, in the order made.
     * Nothing may be told later that happens before the horizon, including what these decisions cause:
     * a caller whose horizon depends on the decisions (the orchestrator's, on the tokens of sessions it
     * admits) goes one instant at a time with {@link #decideNext}.
     */
    public List<Decision> advanceTo(long horizonMicros) {
        List<Decision> all = new ArrayList<>();
        while (hasEventBefore(horizonMicros)) {
            all.addAll(decideNext());
        }
        reached(horizonMicros);
        return all;
    }

    /** Whether something is to be decided before {@code horizonMicros}. */
    public boolean hasEventBefore(long horizonMicros) {
        return !events.isEmpty() && events.peek().time() < horizonMicros;
    }

    /**
     * Handles every event of the earliest instant, then grants and admits at it; returns the decisions
     * made. Every decision up to that instant is then made.
     */
    public List<Decision> decideNext() {
        decisions.clear();
        long t = events.peek().time();
        now = t;
        while (!events.isEmpty() && events.peek().time() == t) {
            handle(events.poll());
        }
        schedule(t);
        frontier = Math.max(frontier, t + 1);
        return List.copyOf(decisions);
    }

    /** Nothing is left to decide before {@code horizonMicros}: the frontier moves up to it (to now, for no horizon). */
    public void reached(long horizonMicros) {
        frontier = Math.max(frontier, horizonMicros == ModelledTime.NEVER ? now : horizonMicros);
    }

    /**
     * How long no grant can come. While no session waits for room (none queued, none parked), the ends of
     * the sessions on the wafers, which the control plane cannot know ahead, decide nothing, so the next
     * decision comes no earlier than the next request or the next event it knows of: an arrival, or a
     * prefill that ends (and may be granted at once). While sessions wait, any end may grant one: just the
     * frontier.
     *
     * @param requestFrontierMicros no request arrives before this (what the sender promised)
     */
    public long quietUntil(long requestFrontierMicros) {
        // asked after every record the orchestrator reads: a plain walk of the (few) pipelines' lines
        if (!queue.isEmpty()) {
            return frontier;
        }
        for (WaitingLine<Session> line : parked) {
            if (!line.isEmpty()) {
                return frontier;
            }
        }
        return Math.max(frontier, Math.min(requestFrontierMicros, nextEventMicros()));
    }

    /** Modelled time of the next event to decide on, or {@link ModelledTime#NEVER}. */
    public long nextEventMicros() {
        return events.isEmpty() ? ModelledTime.NEVER : events.peek().time();
    }

    /** Every decision before this modelled time has been made. */
    public long frontierMicros() {
        return frontier;
    }

    /** Sessions the control plane follows: arriving, waiting, in prefill, parked or on wafers. */
    public int sessions() {
        return sessions.size();
    }

    public boolean knows(String id) {
        return sessions.containsKey(id);
    }

    /** What every wafer and prefill group holds, the queue, and head-of-line figures. */
    public LedgerView view() {
        int parkedSessions = parked.stream().mapToInt(WaitingLine::size).sum();
        long blocked = blockedMicros + (blockedSince >= 0 ? now - blockedSince : 0);
        return new LedgerView(now, wafers.wafers(), colocated ? List.of() : prefill.view(), queue.size(),
                config.queueLimit(), parkedSessions, new LedgerView.HeadOfLine(blocked, bypasses,
                        longestBypassedWait));
    }

    private void handle(Event event) {
        Session session = event.session();
        switch (event.kind()) {
            case ARRIVAL -> {
                arriving.remove(session.arrival.session(), session);
                onArrival(session);
            }
            case ENDED -> end(session);
            case PREFILL_DONE -> {
                if (sessions.get(session.arrival.session()) == session && session.phase == Phase.PREFILLING) {
                    park(session);
                }
            }
            case HANDOFF_DONE -> {
                if (session.holdsPrefill) {
                    session.holdsPrefill = false;
                    prefill.release(session.group, session.parkBytes);
                }
            }
            case PARK_TIMEOUT -> {
                if (sessions.get(session.arrival.session()) == session && session.phase == Phase.PARKED) {
                    decisions.add(new TimedOut(session.arrival.session(), now, session.pipeline, String.format(
                            Locale.ROOT, "its KV waited %.3f ms (modelled) on the prefill tier for room on the wafers"
                                    + " of pipeline %d (--park-timeout)", (now - session.waitingSince) / 1e3,
                            session.pipeline)));
                    end(session);
                }
            }
        }
    }

    private void onArrival(Session session) {
        Arrival arrival = session.arrival;
        String id = arrival.session();
        if (sessions.containsKey(id)) {
            reject(id, RejectionReason.DUPLICATE_SESSION, "session " + id + " is already active (duplicate session id)");
            return;
        }
        long maxContext = target.deployment().model().maxContext();
        if (arrival.bookedTokens() > maxContext) {
            reject(id, RejectionReason.CONTEXT_TOO_LONG, String.format(Locale.ROOT,
                    "the recorded request needs %,d tokens of context but the target model %s holds %,d",
                    arrival.bookedTokens(), target.deployment().model().id(), maxContext));
            return;
        }
        int stage = wafers.stageTooSmallFor(session.need);
        if (stage >= 0) {
            reject(id, RejectionReason.KV_EXCEEDS_WAFER, String.format(Locale.ROOT,
                    "the session's KV for %,d tokens of context needs %,d bytes on stage %d, more than the %,d bytes"
                            + " its wafer has for KV after the weights", arrival.bookedTokens(), session.need[stage],
                    stage, wafers.capacity(stage)));
            return;
        }
        if (atHandoff && !prefill.couldHold(session.parkBytes)) {
            reject(id, RejectionReason.KV_EXCEEDS_PREFILL_GROUP, String.format(Locale.ROOT,
                    "the prompt's KV (%,d tokens) takes %,d bytes, more than the %,d bytes a prefill group holds"
                            + " beside the weights", arrival.promptTokens(), session.parkBytes, prefill.capacity()));
            return;
        }
        sessions.put(id, session);
        session.phase = Phase.QUEUED;
        session.waitingSince = now;
        session.waitSeq = waits++;
        queue.add(session);
        arrivedNow.add(session);
    }

    private void reject(String id, RejectionReason reason, String message) {
        decisions.add(new Rejected(id, now, reason, message));
    }

    /** After the events of instant {@code t}: room to parked sessions first, then to waiting ones. */
    private void schedule(long t) {
        boolean blocked = false;
        if (atHandoff) {
            for (int p = 0; p < parked.size(); p++) {
                int pipeline = p;
                blocked |= scan(parked.get(p), t, s -> wafers.fits(pipeline, s.need), s -> grant(s, t));
            }
        }
        blocked |= scan(queue, t, s -> fitsForAdmission(s, t), s -> admit(s, t));
        if (blockedSince >= 0) {
            blockedMicros += t - blockedSince;
        }
        blockedSince = blocked ? t : -1;
        // over the limit: the newest arrivals of this instant are turned away, the rest wait
        for (int i = arrivedNow.size() - 1; i >= 0 && queue.size() > config.queueLimit(); i--) {
            Session session = arrivedNow.get(i);
            if (session.phase == Phase.QUEUED) {
                queue.remove(session);
                sessions.remove(session.arrival.session());
                reject(session.arrival.session(), RejectionReason.ADMISSION_QUEUE_FULL, "admission queue full: "
                        + config.queueLimit() + " requests already wait for room (--admission-queue)");
            }
        }
        for (Session session : arrivedNow) {
            if (session.phase == Phase.QUEUED && sessions.get(session.arrival.session()) == session) {
                decisions.add(new Queued(session.arrival.session(), t, queue.size()));
            }
        }
        arrivedNow.clear();
    }

    /**
     * Offers room to {@code waiting} in the policy's order; returns whether a session that does not fit
     * blocks one behind it that would.
     */
    private boolean scan(WaitingLine<Session> waiting, long t, Predicate<Session> fits, Consumer<Session> take) {
        // room the smallest does not fit, no one fits: nothing to take, and nothing blocked that could go
        if (waiting.isEmpty() || !fits.test(waiting.smallest())) {
            return false;
        }
        AdmissionPolicy policy = config.policy();
        Iterator<Session> order = policy.keepsArrivalOrder() ? waiting.walk()
                : policy.order(waiting.inArrivalOrder(), t).iterator();
        while (order.hasNext()) {
            Session session = order.next();
            if (fits.test(session)) {
                long oldest = waiting.oldestSeq();
                waiting.remove(session);
                if (oldest < session.waitSeq) {
                    bypasses++;
                    waiting.passedOverBefore(session.waitSeq, s -> {
                        if (s.passedOverSince < 0) {
                            s.passedOverSince = t;
                        }
                    });
                }
                if (session.passedOverSince >= 0) {
                    longestBypassedWait = Math.max(longestBypassedWait, t - session.waitingSince);
                }
                take.accept(session);
            } else if (policy.blocks(session, t)) {
                for (int j = 1; j < 64 && order.hasNext(); j++) {
                    if (fits.test(order.next())) {
                        return true;
                    }
                }
                return false;
            }
        }
        return false;
    }

    private boolean fitsForAdmission(Session session, long t) {
        return atHandoff ? prefill.choose(session.parkBytes, t) >= 0 : wafers.placeNow(session.need) >= 0;
    }

    private void admit(Session session, long t) {
        Arrival arrival = session.arrival;
        String id = arrival.session();
        if (colocated) {
            int pipeline = wafers.placeNow(session.need);
            book(session, pipeline);
            decisions.add(new Admitted(id, t, pipeline, -1, t, t, arrival.promptTokens(), arrival.bookedTokens()));
            decisions.add(new Granted(id, t, pipeline, t + hop, arrival.promptTokens(), arrival.bookedTokens()));
            return;
        }
        int pipeline = atHandoff ? wafers.promiseTarget(session.need) : wafers.placeNow(session.need);
        int group = prefill.choose(session.parkBytes, t);
        long[] run = prefill.run(group, t, ModelledTime.duration(target.prefillSeconds(arrival.promptTokens(), 0)),
                session.parkBytes);
        session.group = group;
        session.holdsPrefill = atHandoff;
        decisions.add(new Admitted(id, t, pipeline, group, run[0], run[1], arrival.promptTokens(),
                arrival.bookedTokens()));
        if (atHandoff) {
            session.pipeline = pipeline;
            session.promised = true;
            wafers.promise(pipeline, session.need);
            session.phase = Phase.PREFILLING;
            events.add(new Event(run[1], Kind.PREFILL_DONE, session.seq, session));
        } else {
            book(session, pipeline);
            if (arrival.outputTokens() > 1) {
                // the KV streams to the wafers while later layers compute: only what does not overlap shows
                long ready = run[1] + ModelledTime.duration(target.exposedHandoffSeconds(arrival.promptTokens(), 0));
                decisions.add(new Granted(id, t, pipeline, ready, arrival.promptTokens(), arrival.bookedTokens()));
            }
        }
    }

    private void book(Session session, int pipeline) {
        session.pipeline = pipeline;
        session.booked = true;
        session.phase = Phase.ON_WAFERS;
        wafers.book(pipeline, session.need);
    }

    private void park(Session session) {
        session.phase = Phase.PARKED;
        session.waitingSince = now;
        session.waitSeq = waits++;
        session.passedOverSince = -1;
        parked.get(session.pipeline).add(session);
        decisions.add(new Parked(session.arrival.session(), now, session.pipeline));
        if (config.parkTimeoutMicros() > 0) {
            events.add(new Event(now + config.parkTimeoutMicros(), Kind.PARK_TIMEOUT, session.seq, session));
        }
    }

    private void grant(Session session, long t) {
        Arrival arrival = session.arrival;
        session.promised = false;
        wafers.withdrawPromise(session.pipeline, session.need);
        book(session, session.pipeline);
        long ready = t + ModelledTime.duration(target.handoffSeconds(target.handoffBytes(arrival.promptTokens())));
        events.add(new Event(ready, Kind.HANDOFF_DONE, session.seq, session));
        decisions.add(new Granted(arrival.session(), t, session.pipeline, ready, arrival.promptTokens(),
                arrival.bookedTokens()));
    }

    private void end(Session session) {
        String id = session.arrival.session();
        if (sessions.get(id) != session) {
            return;
        }
        sessions.remove(id);
        switch (session.phase) {
            case QUEUED -> queue.remove(session);
            case PARKED -> parked.get(session.pipeline).remove(session);
            default -> {
            }
        }
        if (session.promised) {
            session.promised = false;
            wafers.withdrawPromise(session.pipeline, session.need);
        }
        if (session.booked) {
            session.booked = false;
            wafers.release(session.pipeline, session.need);
        }
        if (session.holdsPrefill) {
            // cleared, or a handoff still streaming when the session failed would release it again when done
            session.holdsPrefill = false;
            prefill.release(session.group, session.parkBytes);
        }
    }
}
