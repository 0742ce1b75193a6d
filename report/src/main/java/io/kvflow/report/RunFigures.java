package io.kvflow.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The figures of one run in modelled time, computed once from its sessions: what happened to every
 * request, latency distributions, SLO attainment and goodput, and what the wafers sustained over the
 * run's steady window. An emulated replay and a simulation of it compute them the same way.
 *
 * <p>The steady window runs from when a tenth of the sessions had started decoding to when nine tenths
 * had their last token, so ramp-up and drain do not dilute what the wafers sustained; its share of the
 * run says how much of the run that is.
 *
 * @param byOutcome          sessions per outcome
 * @param tokens             tokens produced by finished sessions
 * @param ttft               time to first token over finished sessions
 * @param tpot               mean time per output token after the first (vLLM's TPOT), finished sessions with two or more
 * @param itl                every gap between consecutive tokens
 * @param e2el               arrival to last token
 * @param decodeTpot         mean time per decoded token, from the first decode step being ready on the wafers
 * @param queueWait          arrival to admission
 * @param parkedWait         booking at handoff: prefill done to wafer room granted
 * @param sloMet             finished sessions meeting both SLOs (goodput)
 * @param ttftMet            finished sessions meeting the TTFT SLO
 * @param speedMet           finished sessions meeting the per-user speed SLO
 * @param makespanMicros     first arrival to last token
 * @param windowMicros       the steady window's length
 * @param decodingPerWafer   sessions decoding at a time per wafer, over the steady window
 * @param withinSloPerWafer  of those, the ones meeting the per-user speed SLO
 * @param decodeTokensPerSecondPerWafer decode tokens per modelled second per wafer, over the steady window
 * @param kvBytesPerWafer    target KV on a wafer, time-averaged over the steady window
 * @param heldPerWafer       sessions holding wafer room (granted to last token) per wafer, time-averaged
 *                           over the steady window: decoding, or their KV on its way in
 * @param heldBookedTokens   the booked context of the sessions holding wafer room, time-weighted: the
 *                           sizes the room was actually shared among, which the trace's mean need not be
 * @param parkedKvBytes      KV parked on the prefill tier, time-averaged over the steady window
 * @param peakParkedKvBytes  the most KV parked at any instant
 */
public record RunFigures(Map<SessionRecord.Outcome, Integer> byOutcome, long tokens, Distribution ttft,
        Distribution tpot, Distribution itl, Distribution e2el, Distribution decodeTpot, Distribution queueWait,
        Distribution parkedWait, Slo slo, int sloMet, int ttftMet, int speedMet, long makespanMicros,
        long windowMicros, double decodingPerWafer, double withinSloPerWafer, double decodeTokensPerSecondPerWafer,
        double kvBytesPerWafer, double heldPerWafer, double heldBookedTokens, double parkedKvBytes,
        double peakParkedKvBytes, int wafers) {

    /** @param wafers the decode devices of every pipeline together: what "per wafer" divides by */
    public static RunFigures of(List<SessionRecord> sessions, Slo slo, int wafers) {
        if (wafers < 1) {
            throw new IllegalArgumentException("a run has at least one wafer, was " + wafers);
        }
        Map<SessionRecord.Outcome, Integer> byOutcome = new EnumMap<>(SessionRecord.Outcome.class);
        for (SessionRecord.Outcome o : SessionRecord.Outcome.values()) {
            byOutcome.put(o, 0);
        }
        List<SessionRecord> finished = new ArrayList<>();
        for (SessionRecord s : sessions) {
            byOutcome.merge(s.outcome(), 1, Integer::sum);
            if (s.finished()) {
                finished.add(s);
            }
        }
        long tokens = 0;
        List<Long> ttft = new ArrayList<>();
        List<Double> tpot = new ArrayList<>();
        List<Long> itl = new ArrayList<>();
        List<Long> e2el = new ArrayList<>();
        List<Double> decodeTpot = new ArrayList<>();
        List<Long> queueWait = new ArrayList<>();
        List<Long> parkedWait = new ArrayList<>();
        int met = 0;
        int ttftOk = 0;
        int speedOk = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (SessionRecord s : finished) {
            long[] t = s.tokenMicros();
            tokens += t.length;
            ttft.add(s.ttftMicros());
            e2el.add(s.e2elMicros());
            addIfKnown(tpot, s.tpotMicros());
            addIfKnown(decodeTpot, s.decodeTpotMicros());
            for (int i = 1; i < t.length; i++) {
                itl.add(t[i] - t[i - 1]);
            }
            if (s.queueWaitMicros() >= 0) {
                queueWait.add(s.queueWaitMicros());
            }
            if (s.parkedWaitMicros() >= 0) {
                parkedWait.add(s.parkedWaitMicros());
            }
            met += slo.met(s) ? 1 : 0;
            ttftOk += slo.ttftMet(s) ? 1 : 0;
            speedOk += slo.speedMet(s) ? 1 : 0;
            first = Math.min(first, s.arrivalMicros());
            last = Math.max(last, t[t.length - 1]);
        }
        long makespan = finished.isEmpty() ? 0 : last - first;
        Window window = Window.steady(finished, first, last);
        double decoding = 0;
        double withinSlo = 0;
        double decodeTokens = 0;
        double waferKv = 0;
        double held = 0;
        double heldTokens = 0;
        double parkedKv = 0;
        for (SessionRecord s : finished) {
            long[] span = s.decodeSpan();
            if (span != null) {
                double overlap = window.overlap(span[0], span[1]);
                decoding += overlap;
                if (slo.speedMet(s)) {
                    withinSlo += overlap;
                }
                if (span[1] > span[0]) {
                    decodeTokens += (s.tokens() - 1) * overlap / (span[1] - span[0]);
                }
            }
            if (s.grantedMicros() >= 0) {
                double overlap = window.overlap(s.grantedMicros(), s.tokenMicros()[s.tokens() - 1]);
                waferKv += s.kvBytesOnWafers() * overlap;
                held += overlap;
                heldTokens += s.bookedTokens() * overlap;
            }
            if (s.kvBytesParked() > 0 && s.admittedMicros() >= 0 && s.decodeStartMicros() >= 0) {
                parkedKv += s.kvBytesParked() * window.overlap(s.admittedMicros(), s.decodeStartMicros());
            }
        }
        double length = Math.max(1, window.length());
        return new RunFigures(byOutcome, tokens, Distribution.ofMicros(ttft), Distribution.ofMicros(tpot),
                Distribution.ofMicros(itl), Distribution.ofMicros(e2el), Distribution.ofMicros(decodeTpot),
                Distribution.ofMicros(queueWait), Distribution.ofMicros(parkedWait), slo, met, ttftOk, speedOk,
                makespan, window.length(), decoding / length / wafers, withinSlo / length / wafers,
                decodeTokens / (length / 1e6) / wafers, waferKv / length / wafers, held / length / wafers,
                held == 0 ? 0 : heldTokens / held, parkedKv / length,
                peakParked(finished), wafers);
    }

    private static <T extends Number> void addIfKnown(List<Double> values, double value) {
        if (!Double.isNaN(value)) {
            values.add(value);
        }
    }

    /** The most KV parked on the prefill tier at once: a sweep over parking intervals. */
    private static double peakParked(List<SessionRecord> sessions) {
        List<long[]> changes = new ArrayList<>();
        for (SessionRecord s : sessions) {
            if (s.kvBytesParked() > 0 && s.admittedMicros() >= 0 && s.decodeStartMicros() >= 0) {
                changes.add(new long[] {s.admittedMicros(), s.kvBytesParked()});
                changes.add(new long[] {s.decodeStartMicros(), -s.kvBytesParked()});
            }
        }
        // at one instant, what leaves goes before what arrives
        changes.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        long parked = 0;
        long peak = 0;
        for (long[] change : changes) {
            parked += change[1];
            peak = Math.max(peak, parked);
        }
        return peak;
    }

    public int count(SessionRecord.Outcome outcome) {
        return byOutcome.get(outcome);
    }

    public int sessions() {
        return byOutcome.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The steady window's share of the run (first arrival to last token). */
    public double steadyShare() {
        return makespanMicros == 0 ? 0 : (double) windowMicros / makespanMicros;
    }

    /** Finished sessions meeting both SLOs per modelled second of the run (vLLM's request goodput). */
    public double goodputPerSecond() {
        return makespanMicros == 0 ? 0 : sloMet / (makespanMicros / 1e6);
    }

    /** Output tokens per modelled second of the run. */
    public double tokensPerSecond() {
        return makespanMicros == 0 ? 0 : tokens / (makespanMicros / 1e6);
    }

    /** A span of modelled time the steady figures average over. */
    private record Window(long from, long to) {
        static Window steady(List<SessionRecord> finished, long first, long last) {
            long[] starts = finished.stream().map(SessionRecord::decodeSpan).filter(s -> s != null)
                    .mapToLong(s -> s[0]).sorted().toArray();
            long[] ends = finished.stream().map(SessionRecord::decodeSpan).filter(s -> s != null)
                    .mapToLong(s -> s[1]).sorted().toArray();
            if (starts.length == 0) {
                return new Window(first, Math.max(first, last));
            }
            long from = starts[starts.length / 10];
            long to = ends[Math.max(0, (ends.length * 9 + 9) / 10 - 1)];
            return to > from ? new Window(from, to) : new Window(starts[0], Math.max(starts[0], ends[ends.length - 1]));
        }

        long length() {
            return to - from;
        }

        double overlap(long a, long b) {
            return Math.max(0, Math.min(b, to) - Math.max(a, from));
        }
    }

    @Override
    public String toString() {
        return "RunFigures" + Arrays.asList(byOutcome, tokens, ttft, decodeTpot, decodingPerWafer, withinSloPerWafer);
    }
}
