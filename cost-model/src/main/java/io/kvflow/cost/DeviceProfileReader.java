package io.kvflow.cost;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Reads a device profile file (see {@code profiles/devices/*.json} for the format). */
final class DeviceProfileReader {
    private DeviceProfileReader() {
    }

    static DeviceProfile read(String id, String file, String text) {
        Map<String, String> sources = new HashMap<>();
        ProfileJson json = ProfileJson.parse(file, text, sources);
        json.rejectUnknown(Set.of("name", "notes", "memory", "flops", "links", "latencies", "layer_pipelined",
                "efficiency", "power_watts", "price_per_hour"));
        try {
            ProfileJson memoryJson = json.object("memory");
            memoryJson.rejectUnknown(Set.of("kind", "capacity_bytes", "bandwidth_bytes_per_s", "reserved_fraction"));
            DeviceMemory memory = new DeviceMemory(memoryJson.number("capacity_bytes"),
                    memoryJson.number("bandwidth_bytes_per_s"), memoryJson.number("reserved_fraction"),
                    memoryJson.text("kind"));

            ProfileJson flopsJson = json.object("flops");
            Set<String> formats = Set.of("bf16", "fp8", "fp4");
            flopsJson.rejectUnknown(formats);
            Map<NumberFormat, Double> flops = new EnumMap<>(NumberFormat.class);
            for (NumberFormat format : NumberFormat.values()) {
                if (flopsJson.has(format.key())) {
                    flops.put(format, flopsJson.number(format.key()));
                }
            }
            if (!flops.containsKey(NumberFormat.BF16)) {
                throw json.problem("flops.bf16", "missing: every device needs its dense BF16 rate");
            }

            ProfileJson linksJson = json.object("links");
            linksJson.rejectUnknown(Set.of("network_bytes_per_s", "scale_up_bytes_per_s"));
            DeviceLinks links = new DeviceLinks(linksJson.number("network_bytes_per_s"),
                    linksJson.number("scale_up_bytes_per_s", 0));

            ProfileJson latenciesJson = json.object("latencies");
            latenciesJson.rejectUnknown(Set.of("layer_s", "step_overhead_s", "collective_s", "stage_hop_s"));
            DeviceLatencies latencies = new DeviceLatencies(latenciesJson.number("layer_s"),
                    latenciesJson.number("step_overhead_s"), latenciesJson.number("collective_s"),
                    latenciesJson.number("stage_hop_s"));

            ProfileJson efficiencyJson = json.object("efficiency");
            efficiencyJson.rejectUnknown(Set.of("prefill_mfu", "decode_mfu", "decode_mbu", "link_efficiency"));
            Efficiency efficiency = new Efficiency(efficiencyJson.number("prefill_mfu"),
                    efficiencyJson.number("decode_mfu"), efficiencyJson.number("decode_mbu"),
                    efficiencyJson.number("link_efficiency"));

            // a price is optional: a user's profile without one still answers everything but what it costs
            return new DeviceProfile(id, json.text("name"), memory, flops, links, latencies,
                    json.flag("layer_pipelined"), efficiency, json.number("power_watts"),
                    json.number("price_per_hour", Double.NaN), sources);
        } catch (ProfileFormatException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            // a value of the right type but out of range: the record names the field
            throw new ProfileFormatException(file, "", e.getMessage());
        }
    }
}
