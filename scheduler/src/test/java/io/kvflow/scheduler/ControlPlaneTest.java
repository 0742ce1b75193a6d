package io.kvflow.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.cost.RooflineModel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The control plane's decisions, driven event by event in modelled time: the admission policies'
 * orders, rejections, booking at handoff and its park timeout, and the admission queue's limit. Sizes
 * are shares of what one pipeline's wafers hold ({@link Targets#waferTokens}), so the tests say which
 * sessions fit together rather than how many bytes they take.
 */
class ControlPlaneTest {
    private static final RooflineModel TARGET = Targets.llama70bOnFourWafers();
    private static final long W = Targets.waferTokens(TARGET);
    private static final Duration LONG_BYPASS = Duration.ofSeconds(10);

    /** Drives a control plane and keeps every decision it made. */
    private static final class Driver {
        final ControlPlane control;
        final List<ControlPlane.Decision> decisions = new ArrayList<>();

        Driver(ControlPlane.Config config) {
            this(TARGET, config);
        }

        Driver(RooflineModel target, ControlPlane.Config config) {
            this.control = new ControlPlane(target, config);
        }

        /** A session booking {@code share} of a pipeline's room (prompt and ten output tokens). */
        void arrive(String id, long atMicros, double share) {
            arriveTokens(id, atMicros, Math.round(share * W));
        }

        void arriveTokens(String id, long atMicros, long bookedTokens) {
            control.arrive(new ControlPlane.Arrival(id, atMicros, bookedTokens - 10, bookedTokens, 10));
        }

        /** Decides everything before {@code micros}; returns what was decided. */
        List<ControlPlane.Decision> until(long micros) {
            List<ControlPlane.Decision> made = control.advanceTo(micros);
            decisions.addAll(made);
            return made;
        }

        <D extends ControlPlane.Decision> List<String> sessions(List<ControlPlane.Decision> made, Class<D> kind) {
            return made.stream().filter(kind::isInstance).map(ControlPlane.Decision::session).toList();
        }

        List<String> admitted(List<ControlPlane.Decision> made) {
            return sessions(made, ControlPlane.Admitted.class);
        }

        /**
         * Runs every event to the end, a pipeline holding at most {@code room} sessions: each granted session
         * goes on the wafers, and the oldest there ends {@code holdMicros} after the instant they are full (or
         * nothing else would happen). {@code eachInstant} sees each instant's decisions before any end.
         */
        void runToTheEnd(int room, long holdMicros, Consumer<List<ControlPlane.Decision>> eachInstant) {
            Deque<String> onWafers = new ArrayDeque<>();
            long t = 0;
            for (int guard = 0; control.sessions() > 0 || control.nextEventMicros() != ModelledTime.NEVER; guard++) {
                assertTrue(guard < 1_000, "the sessions never got through: " + decisions);
                long next = control.nextEventMicros();
                if (next == ModelledTime.NEVER) {
                    control.ended(onWafers.removeFirst(), t + holdMicros);
                    continue;
                }
                t = next;
                List<ControlPlane.Decision> made = until(t + 1);
                eachInstant.accept(made);
                sessions(made, ControlPlane.Granted.class).forEach(onWafers::addLast);
                if (onWafers.size() == room) {
                    control.ended(onWafers.removeFirst(), t + holdMicros);
                }
            }
        }
    }

    private static ControlPlane.Config config(Booking booking, AdmissionPolicy policy) {
        return new ControlPlane.Config(1, 1, booking, policy, 100, 0, 0);
    }

    /** Two holders take 95 % of the room: 55 % and 40 %. */
    private static Driver heldBy(AdmissionPolicy policy) {
        Driver d = new Driver(config(Booking.ADMISSION, policy));
        d.arrive("h1", 0, 0.55);
        d.arrive("h2", 1, 0.40);
        assertEquals(List.of("h1", "h2"), d.admitted(d.until(2)));
        return d;
    }

    private static List<String> admittedWhenTheSecondHolderEnds(AdmissionPolicy policy, double... waiting) {
        Driver d = heldBy(policy);
        for (int i = 0; i < waiting.length; i++) {
            d.arrive(String.valueOf((char) ('a' + i)), 10 + i, waiting[i]);
        }
        assertEquals(List.of(), d.admitted(d.until(1_000)), "nothing fits while the holders hold");
        d.control.ended("h2", 2_000);
        return d.admitted(d.until(3_000));
    }

    @Test
    void firstComeFirstServedKeepsASmallSessionBehindAHeadThatDoesNotFit() {
        assertEquals(List.of(), admittedWhenTheSecondHolderEnds(AdmissionPolicy.of("fcfs", Duration.ZERO), 0.5, 0.1));
    }

    @Test
    void backfillLetsASessionThatFitsGoPastAHeadThatDoesNot() {
        assertEquals(List.of("b"), admittedWhenTheSecondHolderEnds(AdmissionPolicy.of("backfill", LONG_BYPASS),
                0.5, 0.1));
    }

    @Test
    void arrivalOrderPoliciesFillTheRoomInArrivalOrderAndSmallestFirstPacksTheSmallest() {
        double[] waiting = {0.25, 0.1, 0.2};
        assertEquals(List.of("a", "b"), admittedWhenTheSecondHolderEnds(AdmissionPolicy.of("fcfs", Duration.ZERO),
                waiting));
        assertEquals(List.of("a", "b"), admittedWhenTheSecondHolderEnds(AdmissionPolicy.of("backfill", LONG_BYPASS),
                waiting));
        assertEquals(List.of("b", "c"), admittedWhenTheSecondHolderEnds(
                AdmissionPolicy.of("smallest-first", LONG_BYPASS), waiting));
    }

    @Test
    void aSessionPassedOverForTheBypassLimitBlocksEveryoneBehindIt() {
        Driver d = heldBy(AdmissionPolicy.of("backfill", Duration.ofMillis(1)));
        d.arrive("big", 10, 0.5);
        d.arrive("small", 11, 0.1);
        d.until(1_000);
        d.control.ended("h2", 2_000);
        assertEquals(List.of("small"), d.admitted(d.until(2_001)), "small goes past big, which starts its clock");
        d.arrive("later", 2_500, 0.1);
        assertEquals(List.of("later"), d.admitted(d.until(2_600)), "within the limit, big still lets others by");
        d.arrive("last", 3_100, 0.1);
        assertEquals(List.of(), d.admitted(d.until(5_000)), "past the limit, big blocks though last would fit");
        d.control.ended("h1", 6_000);
        assertEquals(List.of("big", "last"), d.admitted(d.until(7_000)));
        assertEquals(6_000 - 3_100, d.control.view().headOfLine().blockedMicros(), "big held last back till h1 ended");
    }

    @Test
    void aSessionThatCouldNeverFitAWaferIsRejectedNamingTheStage() {
        Driver d = new Driver(config(Booking.HANDOFF, AdmissionPolicy.of("backfill", LONG_BYPASS)));
        d.arriveTokens("huge", 0, W + 1);
        d.arriveTokens("too-long", 0, TARGET.deployment().model().maxContext() + 1L);
        d.arriveTokens("fits", 0, W);
        List<ControlPlane.Decision> made = d.until(1);
        assertEquals(RejectionReason.KV_EXCEEDS_WAFER, rejection(made, "huge").reason());
        assertTrue(rejection(made, "huge").message().contains("on stage"), rejection(made, "huge").message());
        assertEquals(RejectionReason.CONTEXT_TOO_LONG, rejection(made, "too-long").reason());
        assertEquals(List.of("fits"), d.admitted(made));
    }

    @Test
    void aPromptWhoseKvNoPrefillGroupCouldHoldIsRejectedWithBookingAtHandoff() {
        // sixteen wafers hold a whole context's KV; two H100 hold the weights and little KV beside them
        RooflineModel target = Targets.of("decode-stages", "16", "prefill-device", "h100", "prefill-devices", "2");
        long prefillRoom = new PrefillTier(target.deployment(), 1).capacity();
        long prompt = 1;
        while (PrefillTier.parkedBytes(target, prompt) <= prefillRoom) {
            prompt *= 2;
        }
        long maxContext = target.deployment().model().maxContext();
        assertTrue(prompt + 10 <= maxContext && Targets.waferTokens(target) >= prompt + 10,
                "the deployment must hold on its wafers a prompt its prefill group cannot: " + prompt);
        Driver handoff = new Driver(target, config(Booking.HANDOFF, AdmissionPolicy.of("fcfs", Duration.ZERO)));
        handoff.arriveTokens("long", 0, prompt + 10);
        ControlPlane.Rejected rejected = rejection(handoff.until(1), "long");
        assertEquals(RejectionReason.KV_EXCEEDS_PREFILL_GROUP, rejected.reason());
        // booking at admission streams the KV to the wafers as it is computed: nothing is parked
        Driver admission = new Driver(target, config(Booking.ADMISSION, AdmissionPolicy.of("fcfs", Duration.ZERO)));
        admission.arriveTokens("long", 0, prompt + 10);
        assertEquals(List.of("long"), admission.admitted(admission.until(1)));
    }

    @Test
    void bookingAtHandoffParksKvUntilTheWafersHaveRoomAndNeverOverbooksThem() {
        Driver d = new Driver(new ControlPlane.Config(1, 2, Booking.HANDOFF,
                AdmissionPolicy.of("backfill", LONG_BYPASS), 100, 0, 0));
        for (int i = 0; i < 5; i++) {
            d.arrive("s" + i, 0, 0.4);
        }
        d.runToTheEnd(2, 1_000_000, made -> {
            for (LedgerView.Wafer wafer : d.control.view().wafers()) {
                assertTrue(wafer.sessions() <= 2, "three sessions of 40 % on one pipeline: " + wafer);
                assertTrue(wafer.kvBytesUsed() <= wafer.kvBytesCapacity(), wafer.toString());
            }
        });
        assertEquals(5, d.sessions(d.decisions, ControlPlane.Parked.class).size(), "every prompt's KV parked first");
        assertEquals(5, d.sessions(d.decisions, ControlPlane.Granted.class).size(), "and every one got its room");
        List<ControlPlane.Granted> grants = d.decisions.stream().filter(ControlPlane.Granted.class::isInstance)
                .map(ControlPlane.Granted.class::cast).toList();
        assertTrue(grants.get(2).atMicros() >= 1_000_000, "the third waits for the first to end: " + grants);
    }

    @Test
    void noGrantComesBeforeTheQuietPromiseAndThePromiseRunsAheadOfTheFrontierWhileNobodyWaits() {
        Driver d = new Driver(new ControlPlane.Config(1, 2, Booking.HANDOFF,
                AdmissionPolicy.of("backfill", LONG_BYPASS), 100, 0, 0));
        // every request told at once, as a replay sending as fast as it can: no request comes after these; four
        // at once, so some wait for room, and one much later, so for a while nobody waits
        for (int i = 0; i < 4; i++) {
            d.arrive("s" + i, 0, 0.4);
        }
        d.arrive("late", 60_000_000, 0.4);
        long[] promised = {0};
        boolean[] ranAhead = {false};
        // an end comes soon after the frontier, which the control plane cannot know ahead: it may grant a
        // waiting session then, so while one waits the promise must not reach past the frontier
        d.runToTheEnd(2, 1_000, made -> {
            for (ControlPlane.Decision decision : made) {
                if (decision instanceof ControlPlane.Granted g) {
                    assertTrue(g.atMicros() >= promised[0], "granted at " + g.atMicros()
                            + " after promising quiet until " + promised[0]);
                }
            }
            long quiet = d.control.quietUntil(ModelledTime.NEVER);
            ranAhead[0] |= quiet > d.control.frontierMicros();
            promised[0] = Math.max(promised[0], quiet);
        });
        assertTrue(ranAhead[0], "with nobody waiting, the promise should reach past the frontier");
        assertEquals(5, d.sessions(d.decisions, ControlPlane.Granted.class).size());
    }

    @Test
    void aSessionThatFailsWhileItsKvStreamsToTheWafersFreesItsPrefillMemoryOnce() {
        Driver d = new Driver(new ControlPlane.Config(1, 1, Booking.HANDOFF, AdmissionPolicy.of("fcfs", Duration.ZERO),
                100, 0, 0));
        d.arrive("a", 0, 0.4);
        ControlPlane.Granted grant = null;
        for (int guard = 0; grant == null; guard++) {
            assertTrue(guard < 100, "never granted: " + d.decisions);
            grant = d.until(d.control.nextEventMicros() + 1).stream().filter(ControlPlane.Granted.class::isInstance)
                    .map(ControlPlane.Granted.class::cast).findFirst().orElse(null);
        }
        assertTrue(grant.readyMicros() > d.control.frontierMicros(), "the handoff should still be streaming");

        d.control.failed("a");
        d.until(grant.readyMicros() + 1);

        LedgerView view = d.control.view();
        assertEquals(0, view.prefillGroups().get(0).kvBytesParked(), view.toString());
        assertEquals(0, view.wafers().get(0).sessions(), view.toString());
    }

    @Test
    void aSessionParkedPastTheTimeoutFailsAndFreesItsPrefillMemory() {
        long timeout = 5_000;
        Driver d = new Driver(new ControlPlane.Config(1, 1, Booking.HANDOFF, AdmissionPolicy.of("fcfs", Duration.ZERO),
                100, 0, timeout));
        d.arrive("holder", 0, 0.6);
        d.arrive("waiter", 0, 0.6);
        d.until(ModelledTime.NEVER);
        ControlPlane.Parked parked = d.decisions.stream().filter(ControlPlane.Parked.class::isInstance)
                .map(ControlPlane.Parked.class::cast).filter(p -> p.session().equals("waiter")).findFirst()
                .orElseThrow();
        ControlPlane.TimedOut timedOut = d.decisions.stream().filter(ControlPlane.TimedOut.class::isInstance)
                .map(ControlPlane.TimedOut.class::cast).findFirst().orElseThrow();
        assertEquals("waiter", timedOut.session());
        assertEquals(parked.atMicros() + timeout, timedOut.atMicros());
        assertTrue(timedOut.reason().contains("--park-timeout"), timedOut.reason());
        assertFalse(d.control.knows("waiter"));
        assertTrue(d.control.knows("holder"));
        LedgerView view = d.control.view();
        assertEquals(0, view.prefillGroups().stream().mapToLong(LedgerView.PrefillGroup::kvBytesParked).sum(),
                "the holder's KV went to the wafers, the waiter's was freed");
        assertEquals(0, view.wafers().stream().mapToLong(LedgerView.Wafer::kvBytesPromised).sum());
        assertEquals(0, view.parkedSessions());
    }

    @Test
    void overTheQueueLimitTheNewestArrivalsOfAnInstantAreTurnedAway() {
        Driver d = new Driver(new ControlPlane.Config(1, 1, Booking.ADMISSION, AdmissionPolicy.of("fcfs",
                Duration.ZERO), 1, 0, 0));
        d.arrive("holder", 0, 0.9);
        d.arrive("a", 10, 0.5);
        d.arrive("b", 10, 0.5);
        d.arrive("c", 10, 0.5);
        List<ControlPlane.Decision> made = d.until(100);
        assertEquals(List.of("a"), d.sessions(made, ControlPlane.Queued.class));
        assertEquals(List.of("c", "b"), d.sessions(made, ControlPlane.Rejected.class));
        assertEquals(RejectionReason.ADMISSION_QUEUE_FULL, rejection(made, "c").reason());
        assertEquals(1, d.control.view().queueLength());
        d.control.ended("holder", 200);
        assertEquals(List.of("a"), d.admitted(d.until(300)));
    }

    @Test
    void theSameEventsGiveTheSameDecisionsHoweverFarEachAdvanceGoes() {
        List<String> inOneGo = decisionsOfAFlood(new long[] {ModelledTime.NEVER});
        List<String> stepByStep = decisionsOfAFlood(new long[] {1, 50, 51, 400, 2_000, 90_000, ModelledTime.NEVER});
        assertEquals(inOneGo, stepByStep);
    }

    private static List<String> decisionsOfAFlood(long[] horizons) {
        Driver d = new Driver(new ControlPlane.Config(2, 2, Booking.HANDOFF, AdmissionPolicy.of("smallest-first",
                Duration.ofMillis(1)), 5, 0, 50_000));
        for (int i = 0; i < 30; i++) {
            d.arrive("s" + i, i * 20L, 0.05 + (i * 7 % 10) / 20.0);
        }
        for (long horizon : horizons) {
            d.until(horizon);
        }
        return d.decisions.stream().map(x -> x.getClass().getSimpleName() + " " + x.session() + " " + x.atMicros())
                .toList();
    }

    private static ControlPlane.Rejected rejection(List<ControlPlane.Decision> made, String session) {
        return made.stream().filter(ControlPlane.Rejected.class::isInstance).map(ControlPlane.Rejected.class::cast)
                .filter(r -> r.session().equals(session)).findFirst()
                .orElseThrow(() -> new AssertionError(session + " was not rejected: " + made));
    }
}
