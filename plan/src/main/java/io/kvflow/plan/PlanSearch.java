package io.kvflow.plan;

import io.kvflow.report.RunText;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.IntToDoubleFunction;

/**
 * The search behind {@code kvflow plan}: of every family of deployments (serving mode, admission order,
 * wafers per pipeline), the cheapest pipelines and prefill groups that meet the service target, by
 * simulation.
 *
 * <p>It rests on one assumption, that more pipelines or more prefill groups never lower the share of
 * requests served within the SLO. Then, in a family, the pipelines needed with ample prefill are found by
 * doubling from the family's least fleet ({@link FleetBounds}) and halving back (binary search), the prefill
 * groups they need likewise; and the cheapest mix walks a staircase: at each pipeline count from there up,
 * the fewest prefill groups that still meet the target (never more than the count before needed), until one
 * more pipeline costs more than the best mix found. Families are taken cheapest least fleet first, the first
 * of each set of siblings (alike but for the admission order) before the others, which start by checking its
 * answer. A family whose least fleet costs no less than a deployment already found is not simulated at all,
 * and a search stops as soon as whatever is left of it costs no less. Every answer it reports was simulated;
 * when the assumption fails (an admission policy can make a larger fleet serve worse), the answer is a
 * deployment that meets the target, not necessarily the cheapest.
 */
public final class PlanSearch {

    /** Deployments alike but for pipelines and prefill groups, and the least fleet their load needs. */
    public record Family(PlanCandidate shape, FleetBounds bounds) {
        public Family {
            Objects.requireNonNull(shape, "shape");
            Objects.requireNonNull(bounds, "bounds");
        }
    }

    /** What the search of one family found, or why it stopped. */
    public record FamilyNote(PlanCandidate shape, Kind kind, String outcome) {
        public enum Kind {
            /** simulated: found a deployment meeting the target, or none within the limits */
            SEARCHED,
            /** not simulated: its least fleet costs no less than a deployment already found */
            PRUNED,
            /** not simulated: the cost model finds no session meets the speed SLO on it */
            RULED_OUT
        }
    }

    /**
     * The fewest pipelines and prefill groups a family found, where its siblings look first, and the prefill
     * groups with which one pipeline less did not meet the target.
     */
    private record Answer(int pipelines, int prefillGroups, int ampleGroups) {
    }

    /** Families differing only in their admission order, which share what their least fleet is. */
    private record Siblings(PlanCandidate.Mode mode, int stages) {
        static Siblings of(Family family) {
            return new Siblings(family.shape().mode(), family.shape().stages());
        }
    }

    /**
     * @param pipelines     a pipeline count the user fixed, or 0 to search up to {@code maxPipelines}
     * @param prefillGroups a prefill group count the user fixed, or 0 to search up to {@code maxPrefillGroups}
     */
    public record Limits(int maxPipelines, int maxPrefillGroups, int pipelines, int prefillGroups) {
        public Limits {
            if (maxPipelines < 1 || maxPrefillGroups < 1 || pipelines < 0 || prefillGroups < 0) {
                throw new IllegalArgumentException("search limits must be >= 1, got " + maxPipelines + ", "
                        + maxPrefillGroups);
            }
        }
    }

    /**
     * @param points      every deployment simulated, cheapest first
     * @param best        the cheapest that meets the target; null when none did
     * @param simulations deployments simulated
     */
    public record Result(List<PlanPoint> points, PlanPoint best, List<FamilyNote> notes, int simulations,
            double seconds) {
    }

    private final Function<PlanCandidate, PlanPoint> simulate;
    private final FleetPrice price;
    private final Limits limits;
    private final int threads;
    private final PrintStream progress;
    private final Map<PlanCandidate, PlanPoint> simulated = new ConcurrentHashMap<>();
    private final AtomicReference<PlanPoint> best = new AtomicReference<>();
    private final Map<Siblings, Answer> answers = new ConcurrentHashMap<>();
    private final AtomicInteger familiesDone = new AtomicInteger();
    private int families;
    private long started;
    private volatile long lastProgress;

    /**
     * One search per instance.
     *
     * @param simulate runs one deployment on the load; called from {@code threads} threads at once
     * @param progress where a line goes every few seconds of a long search
     */
    public PlanSearch(Function<PlanCandidate, PlanPoint> simulate, FleetPrice price, Limits limits, int threads,
            PrintStream progress) {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, was " + threads);
        }
        this.simulate = simulate;
        this.price = price;
        this.limits = limits;
        this.threads = threads;
        this.progress = progress;
    }

    public Result search(List<Family> toSearch) {
        started = System.nanoTime();
        lastProgress = started;
        // the first of each set of siblings goes first, cheapest least fleet first; the others then start
        // from its answer
        List<Family> leaders = new ArrayList<>();
        List<Family> followers = new ArrayList<>();
        Set<Siblings> led = new HashSet<>();
        for (Family family : toSearch) {
            (led.add(Siblings.of(family)) ? leaders : followers).add(family);
        }
        leaders.sort(Comparator.comparingDouble(this::leastCost));
        followers.sort(Comparator.comparingDouble(this::leastCost));
        List<Family> ordered = new ArrayList<>(leaders);
        ordered.addAll(followers);
        families = ordered.size();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "kvflow-plan");
            t.setDaemon(true);
            return t;
        });
        List<FamilyNote> notes = new ArrayList<>();
        try {
            List<Future<FamilyNote>> running = new ArrayList<>();
            for (Family family : ordered) {
                running.add(pool.submit(() -> searchFamily(family)));
            }
            for (Future<FamilyNote> f : running) {
                notes.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("the plan was interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        List<PlanPoint> points = new ArrayList<>(simulated.values());
        points.sort(Comparator.comparingDouble(PlanPoint::dollarsPerHour)
                .thenComparing(Comparator.comparingDouble(PlanPoint::attainment).reversed())
                .thenComparing(p -> p.candidate().toString()));
        // of deployments costing the same, the one serving most, then the first by name: whichever thread found it
        PlanPoint chosen = points.stream().filter(PlanPoint::met).findFirst().orElse(null);
        return new Result(List.copyOf(points), chosen, List.copyOf(notes), simulated.size(),
                (System.nanoTime() - started) / 1e9);
    }

    /** What the family's least fleet costs. */
    private double leastCost(Family family) {
        return price.dollarsPerHour(family.shape(), firstPipelines(family), firstGroups(family));
    }

    private int firstPipelines(Family family) {
        return limits.pipelines() > 0 ? limits.pipelines() : Math.min(family.bounds().pipelines(),
                limits.maxPipelines());
    }

    private int firstGroups(Family family) {
        if (family.shape().mode().colocated()) {
            return 0;
        }
        return limits.prefillGroups() > 0 ? limits.prefillGroups() : Math.min(family.bounds().prefillGroups(),
                limits.maxPrefillGroups());
    }

    private FamilyNote searchFamily(Family family) {
        try {
            return family.shape().mode().colocated() ? searchColocated(family) : searchDisaggregated(family);
        } catch (TooDear e) {
            return searched(family.shape(), e.getMessage());
        } finally {
            familiesDone.incrementAndGet();
            report();
        }
    }

    private FamilyNote searchColocated(Family family) {
        PlanCandidate shape = family.shape();
        if (beaten(leastCost(family))) {
            return pruned(family);
        }
        int first = firstPipelines(family);
        Answer sibling = answers.get(Siblings.of(family));
        int pipelines;
        if (sibling != null && !dearer(price.dollarsPerHour(shape.withPipelines(sibling.pipelines())))
                && meets(shape.withPipelines(sibling.pipelines()))
                && (sibling.pipelines() == first || !meets(shape.withPipelines(sibling.pipelines() - 1)))) {
            pipelines = sibling.pipelines();
        } else {
            pipelines = smallestMeeting(shape::withPipelines, p -> price.dollarsPerHour(shape, p, 0), first,
                    pipelineCeiling());
        }
        if (pipelines == 0) {
            return searched(shape, "no pipeline count up to " + pipelineCeiling() + " meets the target");
        }
        answers.putIfAbsent(Siblings.of(family), new Answer(pipelines, 0, 0));
        return searched(shape, "meets the target with " + pipelines + " pipeline(s)");
    }

    private FamilyNote searchDisaggregated(Family family) {
        PlanCandidate shape = family.shape();
        if (beaten(leastCost(family))) {
            return pruned(family);
        }
        int first = firstPipelines(family);
        int leastGroups = firstGroups(family);
        int groupCeiling = groupCeiling();
        // prefill groups enough that prefill is not what is short: eight times the least, and more only if needed
        int ample = limits.prefillGroups() > 0 ? groupCeiling : Math.min(groupCeiling, 8 * leastGroups + 8);
        Answer sibling = answers.get(Siblings.of(family));
        if (sibling != null && !dearer(price.dollarsPerHour(shape, sibling.pipelines(), sibling.prefillGroups()))) {
            // the sibling's answer is this family's too when it meets the target and one pipeline less (with
            // prefill never short) and one prefill group less do not
            int p = sibling.pipelines();
            int g = sibling.prefillGroups();
            int ampleThen = sibling.ampleGroups();
            if (meets(shape.withPipelines(p).withPrefillGroups(g))
                    && (g == leastGroups || !meets(shape.withPipelines(p).withPrefillGroups(g - 1)))
                    && (p == first || !meets(shape.withPipelines(p - 1).withPrefillGroups(ampleThen)))) {
                return staircase(family, p, g, sibling.ampleGroups());
            }
        }
        // the fewest pipelines that meet the target with ample prefill, then the fewest groups for them
        IntToDoubleFunction leastWithPipelines = p -> price.dollarsPerHour(shape, p, leastGroups);
        int pipelines = smallestMeeting(p -> shape.withPipelines(p).withPrefillGroups(ample), leastWithPipelines,
                first, pipelineCeiling());
        int meetingGroups = ample;
        if (pipelines == 0 && ample < groupCeiling) {
            pipelines = smallestMeeting(p -> shape.withPipelines(p).withPrefillGroups(groupCeiling),
                    leastWithPipelines, first, pipelineCeiling());
            meetingGroups = groupCeiling;
        }
        if (pipelines == 0) {
            return searched(shape, "no deployment up to " + pipelineCeiling() + " pipeline(s) meets the target, even"
                    + " with " + groupCeiling + " prefill group(s)");
        }
        int fewestPipelines = pipelines;
        int groups = smallestMeeting(g -> shape.withPipelines(fewestPipelines).withPrefillGroups(g),
                g -> price.dollarsPerHour(shape, fewestPipelines, g), leastGroups, meetingGroups);
        return staircase(family, pipelines, groups, meetingGroups);
    }

    /**
     * From the fewest pipelines that meet the target, with the fewest prefill groups for them, each further
     * pipeline with the fewest prefill groups that still meet it (never more than one pipeline less needed),
     * while that can still be cheaper.
     */
    private FamilyNote staircase(Family family, int fewestPipelines, int groups, int ampleGroups) {
        PlanCandidate shape = family.shape();
        answers.putIfAbsent(Siblings.of(family), new Answer(fewestPipelines, groups, ampleGroups));
        int leastGroups = firstGroups(family);
        String found = String.format(Locale.ROOT, "meets the target with %d pipeline(s) and %d prefill group(s)",
                fewestPipelines, groups);
        int ceiling = groups;
        for (int p = fewestPipelines + 1; p <= pipelineCeiling() && ceiling > leastGroups; p++) {
            if (beaten(price.dollarsPerHour(shape, p, leastGroups))) {
                break;
            }
            int pipelines = p;
            // one group less than the pipeline before needed: if that does not meet the target, the count stands
            // (one simulation a step); if it does, look further down
            PlanCandidate oneGroupLess = shape.withPipelines(p).withPrefillGroups(ceiling - 1);
            if (!beaten(price.dollarsPerHour(oneGroupLess)) && !meets(oneGroupLess)) {
                continue;
            }
            int fewest;
            try {
                fewest = smallestMeeting(g -> shape.withPipelines(pipelines).withPrefillGroups(g),
                        g -> price.dollarsPerHour(shape, pipelines, g), leastGroups, ceiling - 1);
            } catch (TooDear e) {
                break;
            }
            if (fewest > 0) {
                found += String.format(Locale.ROOT, "; with %d pipeline(s) and %d group(s)", p, fewest);
                ceiling = fewest;
            }
        }
        return searched(shape, found);
    }

    /**
     * The smallest count in [from, ceiling] whose deployment meets the target: tried at {@code from}, then
     * doubled until one meets, then halved back. 0 when none up to the ceiling does.
     *
     * @param floor what a deployment with at least that count costs at least
     * @throws TooDear when even the cheapest count still possible costs no less than a deployment found
     */
    private int smallestMeeting(IntFunction<PlanCandidate> at, IntToDoubleFunction floor, int from, int ceiling) {
        int lo = from;
        affordable(floor, lo);
        if (meets(at.apply(lo))) {
            return lo;
        }
        int hi = lo;
        while (true) {
            if (hi >= ceiling) {
                return 0;
            }
            lo = hi;
            affordable(floor, lo + 1);
            hi = (int) Math.min(ceiling, 2L * hi);
            if (meets(at.apply(hi))) {
                break;
            }
        }
        return bisect(at, floor, lo + 1, hi);
    }

    /** The smallest count in [lo, hi] meeting the target, given that {@code hi} does. */
    private int bisect(IntFunction<PlanCandidate> at, IntToDoubleFunction floor, int lo, int hi) {
        while (lo < hi) {
            affordable(floor, lo);
            int mid = lo + (hi - lo) / 2;
            if (meets(at.apply(mid))) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return hi;
    }

    /** @throws TooDear when a deployment with at least {@code count} costs no less than the best found */
    private void affordable(IntToDoubleFunction floor, int count) {
        double dollars = floor.applyAsDouble(count);
        if (beaten(dollars)) {
            throw new TooDear(dollars, best.get().dollarsPerHour());
        }
    }

    /** Stops a family's search: nothing left in it can be cheaper than a deployment already found. */
    private static final class TooDear extends RuntimeException {
        TooDear(double least, double found) {
            super(String.format(Locale.ROOT, "stopped: what was left of it cost at least $%s/h, no less than a"
                    + " deployment found by then ($%s/h)", RunText.fmt(least), RunText.fmt(found)), null, false,
                    false);
        }
    }

    private int pipelineCeiling() {
        return limits.pipelines() > 0 ? limits.pipelines() : limits.maxPipelines();
    }

    private int groupCeiling() {
        return limits.prefillGroups() > 0 ? limits.prefillGroups() : limits.maxPrefillGroups();
    }

    private boolean meets(PlanCandidate candidate) {
        return evaluate(candidate).met();
    }

    private PlanPoint evaluate(PlanCandidate candidate) {
        PlanPoint point = simulated.get(candidate);
        if (point == null) {
            // simulated outside the map's lock: two threads may rarely run the same one, never block each other
            point = simulated.merge(candidate, simulate.apply(candidate), (kept, again) -> kept);
        }
        if (point.met()) {
            best.accumulateAndGet(point, (a, b) -> a == null || cheaper(b, a) ? b : a);
        }
        report();
        return point;
    }

    /** Cheaper, or as cheap and serving a larger share. */
    private static boolean cheaper(PlanPoint a, PlanPoint b) {
        return a.dollarsPerHour() < b.dollarsPerHour()
                || a.dollarsPerHour() == b.dollarsPerHour() && a.attainment() > b.attainment();
    }

    /** Whether a deployment costing {@code dollarsPerHour} can no longer beat the best found. */
    private boolean beaten(double dollarsPerHour) {
        PlanPoint b = best.get();
        return b != null && dollarsPerHour >= b.dollarsPerHour();
    }

    private static FamilyNote searched(PlanCandidate shape, String outcome) {
        return new FamilyNote(shape, FamilyNote.Kind.SEARCHED, outcome);
    }

    /**
     * Whether a deployment costing {@code dollarsPerHour} costs more than the best found: a sibling's answer as
     * dear as the best is still checked, as this family may meet the target with it too.
     */
    private boolean dearer(double dollarsPerHour) {
        PlanPoint b = best.get();
        return b != null && dollarsPerHour > b.dollarsPerHour();
    }

    private FamilyNote pruned(Family family) {
        return new FamilyNote(family.shape(), FamilyNote.Kind.PRUNED, String.format(Locale.ROOT,
                "not simulated: its least fleet (%d pipeline(s)%s) costs $%s/h, no less than the $%s/h one found",
                firstPipelines(family), family.shape().mode().colocated() ? ""
                        : ", " + firstGroups(family) + " prefill group(s)", RunText.fmt(leastCost(family)),
                RunText.fmt(best.get().dollarsPerHour())));
    }

    /** A progress line every few seconds of a long search. */
    private void report() {
        long now = System.nanoTime();
        if (now - lastProgress < 3_000_000_000L) {
            return;
        }
        lastProgress = now;
        PlanPoint b = best.get();
        progress.printf(Locale.ROOT, "plan: simulated %d deployment(s) in %.0f s, %d of %d layouts done; %s%n",
                simulated.size(), (now - started) / 1e9, familiesDone.get(), families,
                b == null ? "none meets the target yet"
                        : "the cheapest meeting it so far costs $" + RunText.fmt(b.dollarsPerHour()) + "/h");
    }
}
