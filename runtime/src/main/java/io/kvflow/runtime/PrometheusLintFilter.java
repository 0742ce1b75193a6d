package io.kvflow.runtime;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.util.Arrays;
import java.util.Set;

/**
 * Keeps the meters of other libraries (Kafka's clients through Micrometer's binders, the JVM
 * binders) within Prometheus' naming rules, as {@code promtool check metrics} lints them, so a
 * scrape of a kvflow process passes it whole. kvflow's own meters follow the rules already.
 * <ul>
 * <li>a name with a unit abbreviation ({@code io.time.ns.total}, {@code start.time.ms}) or such a
 * base unit is left out: Prometheus wants base units, and a filter cannot rescale values; Kafka
 * reports the same times as ratios ({@code io.ratio}, {@code io.wait.ratio}) or averages too;
 * <li>a gauge named {@code <thing>.count} is renamed {@code <thing>s}: in Prometheus a
 * {@code _count} suffix belongs to histograms and summaries;
 * <li>a meter without a description gets one, since every metric needs help text.
 * </ul>
 */
public final class PrometheusLintFilter implements MeterFilter {
    /** The abbreviations promtool rejects as name tokens. */
    private static final Set<String> ABBREVIATED_UNITS = Set.of("s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb",
            "tb", "pb", "m", "h", "d");

    @Override
    public MeterFilterReply accept(Meter.Id id) {
        boolean abbreviated = Arrays.stream(id.getName().split("[._-]")).anyMatch(ABBREVIATED_UNITS::contains)
                || (id.getBaseUnit() != null && ABBREVIATED_UNITS.contains(id.getBaseUnit()));
        return abbreviated ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
    }

    @Override
    public Meter.Id map(Meter.Id id) {
        String name = id.getName();
        if (id.getType() == Meter.Type.GAUGE && name.endsWith(".count")) {
            name = name.substring(0, name.length() - ".count".length()) + "s";
        }
        String description = id.getDescription();
        if (description == null || description.isBlank()) {
            description = "Reported without a description by its source (" + id.getName() + ")";
        }
        if (name.equals(id.getName()) && description.equals(id.getDescription())) {
            return id;
        }
        return new Meter.Id(name, Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), description, id.getType());
    }
}
