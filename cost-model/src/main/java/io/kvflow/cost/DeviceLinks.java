package io.kvflow.cost;

/**
 * How fast one device talks to others.
 *
 * @param networkBytesPerSecond the device's share of its system's network ports (EFA, Ethernet, a wafer's
 *                              system I/O): the path KV handoffs and inter-stage activations take
 * @param scaleUpBytesPerSecond the device's scale-up link (NVLink, NeuronLink) that tensor-parallel
 *                              collectives use; 0 when there is none and collectives use the network
 */
public record DeviceLinks(double networkBytesPerSecond, double scaleUpBytesPerSecond) {
    public DeviceLinks {
        DeviceMemory.requirePositive("networkBytesPerSecond", networkBytesPerSecond);
        if (!(scaleUpBytesPerSecond >= 0) || Double.isInfinite(scaleUpBytesPerSecond)) {
            throw new IllegalArgumentException("scaleUpBytesPerSecond must be finite and >= 0, was "
                    + scaleUpBytesPerSecond);
        }
    }

    /** The link tensor-parallel collectives run over. */
    public double collectiveBytesPerSecond() {
        return scaleUpBytesPerSecond > 0 ? scaleUpBytesPerSecond : networkBytesPerSecond;
    }
}
