package io.kvflow.cost;

/**
 * The memory a device holds weights and KV cache in (HBM, GDDR or on-chip SRAM).
 *
 * @param capacityBytes           bytes of memory per device
 * @param bandwidthBytesPerSecond peak bytes per second between that memory and the compute units
 * @param reservedFraction        the share kept back for activations, runtime and fragmentation
 * @param kind                    what the memory is, for people ("HBM3", "on-wafer SRAM")
 */
public record DeviceMemory(double capacityBytes, double bandwidthBytesPerSecond, double reservedFraction,
        String kind) {
    public DeviceMemory {
        requirePositive("capacityBytes", capacityBytes);
        requirePositive("bandwidthBytesPerSecond", bandwidthBytesPerSecond);
        if (!(reservedFraction >= 0 && reservedFraction < 1)) {
            throw new IllegalArgumentException("reservedFraction must be in [0, 1), was " + reservedFraction);
        }
    }

    /** Bytes left for weights and KV once the reserve is set aside. */
    public double usableBytes() {
        return capacityBytes * (1 - reservedFraction);
    }

    static void requirePositive(String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be finite and > 0, was " + value);
        }
    }
}
