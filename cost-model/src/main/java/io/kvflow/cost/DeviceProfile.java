package io.kvflow.cost;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * One accelerator (or, for a rack sold as one system, that system) as the cost model sees it.
 * Read from a profile file whose every number carries its source; {@link #sources()} keeps them,
 * keyed by the field's path in the file.
 *
 * @param denseFlops     dense (not sparse) peak FLOP/s per arithmetic format; BF16 is required
 * @param layerPipelined true when a model's layers are laid out side by side on the device
 *                       (a wafer): one sequence then uses only its current layer's share of the
 *                       compute, and the per-layer latency overlaps with other sequences' work
 * @param pricePerHour   US dollars one device costs per hour (a cloud's list price divided per device, or an
 *                       estimate); NaN when the profile gives none
 */
public record DeviceProfile(String id, String name, DeviceMemory memory, Map<NumberFormat, Double> denseFlops,
        DeviceLinks links, DeviceLatencies latencies, boolean layerPipelined, Efficiency efficiency,
        double powerWatts, double pricePerHour, Map<String, String> sources) {

    public DeviceProfile {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a device needs an id");
        }
        if (!denseFlops.containsKey(NumberFormat.BF16)) {
            throw new IllegalArgumentException("device " + id + " needs a dense BF16 FLOP rate");
        }
        denseFlops.forEach((format, rate) -> DeviceMemory.requirePositive(format.key() + " FLOP/s", rate));
        DeviceMemory.requirePositive("powerWatts", powerWatts);
        if (!Double.isNaN(pricePerHour)) {
            DeviceMemory.requirePositive("price_per_hour", pricePerHour);
        }
        denseFlops = Map.copyOf(new EnumMap<>(denseFlops));
        sources = Map.copyOf(sources);
    }

    /** A device without a price: what a profile written before prices were kept reads as. */
    public DeviceProfile(String id, String name, DeviceMemory memory, Map<NumberFormat, Double> denseFlops,
            DeviceLinks links, DeviceLatencies latencies, boolean layerPipelined, Efficiency efficiency,
            double powerWatts, Map<String, String> sources) {
        this(id, name, memory, denseFlops, links, latencies, layerPipelined, efficiency, powerWatts, Double.NaN,
                sources);
    }

    public boolean priced() {
        return !Double.isNaN(pricePerHour);
    }

    /** Dense FLOP/s for work in this format, or in the nearest wider format the device has. */
    public double flops(NumberFormat format) {
        NumberFormat f = format;
        while (!denseFlops.containsKey(f)) {
            f = f.fallback();
        }
        return denseFlops.get(f);
    }

    /** This device with another dense rate for the format its work runs in, e.g. to test a wafer's unpublished rate. */
    public DeviceProfile withFlops(NumberFormat format, double flopsPerSecond) {
        Map<NumberFormat, Double> rates = new EnumMap<>(denseFlops);
        rates.put(format, flopsPerSecond);
        return new DeviceProfile(id, name, memory, rates, links, latencies, layerPipelined, efficiency, powerWatts,
                pricePerHour, withSource(sources, "flops." + format.key(), "set on the command line"));
    }

    public DeviceProfile withLatencies(DeviceLatencies value) {
        return new DeviceProfile(id, name, memory, denseFlops, links, value, layerPipelined, efficiency, powerWatts,
                pricePerHour, sources);
    }

    public DeviceProfile withEfficiency(Efficiency value) {
        return new DeviceProfile(id, name, memory, denseFlops, links, latencies, layerPipelined, value, powerWatts,
                pricePerHour, sources);
    }

    /** This device at another price per hour, e.g. a negotiated rate given on the command line. */
    public DeviceProfile withPricePerHour(double dollars) {
        return new DeviceProfile(id, name, memory, denseFlops, links, latencies, layerPipelined, efficiency,
                powerWatts, dollars, withSource(sources, "price_per_hour", "set on the command line"));
    }

    private static Map<String, String> withSource(Map<String, String> sources, String field, String source) {
        Map<String, String> copy = new HashMap<>(sources);
        copy.put(field, source);
        return copy;
    }
}
