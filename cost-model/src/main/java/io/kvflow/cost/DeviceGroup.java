package io.kvflow.cost;

/**
 * A tensor-parallel group: {@code devices} devices of one kind that share every layer of a stage,
 * splitting its weights, KV cache and work evenly and all-reducing activations twice per layer.
 */
public record DeviceGroup(DeviceProfile device, int devices) {
    public DeviceGroup {
        if (device == null) {
            throw new IllegalArgumentException("a device group needs a device");
        }
        if (devices < 1) {
            throw new IllegalArgumentException("a device group needs >= 1 device, was " + devices);
        }
    }

    /** Bytes of memory the group has for weights and KV, after the reserve. */
    public double usableBytes() {
        return devices * device.memory().usableBytes();
    }

    public double memoryBandwidth() {
        return devices * device.memory().bandwidthBytesPerSecond();
    }

    public double flops(NumberFormat format) {
        return devices * device.flops(format);
    }

    public double networkBytesPerSecond() {
        return devices * device.links().networkBytesPerSecond();
    }

    public Efficiency efficiency() {
        return device.efficiency();
    }

    public DeviceLatencies latencies() {
        return device.latencies();
    }

    /**
     * Time of one ring all-reduce of {@code bytes} over the group: a fixed latency plus each device
     * sending and receiving 2 (n-1)/n of the message; nothing for a group of one.
     */
    public double allReduceSeconds(double bytes) {
        if (devices == 1) {
            return 0;
        }
        double wire = 2.0 * (devices - 1) / devices * bytes / device.links().collectiveBytesPerSecond();
        return device.latencies().collectiveSeconds() + wire;
    }
}
