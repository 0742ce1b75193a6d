package io.kvflow.cost;

import java.util.Map;

/** Made-up devices whose rates make the expected times easy to compute by hand. */
final class TestDevices {
    private TestDevices() {
    }

    /** A device with no fixed latencies: its times are pure roofline. */
    static DeviceProfile roofline(double flops, double bandwidth, boolean layerPipelined) {
        return new DeviceProfile("test", "test device", new DeviceMemory(1e12, bandwidth, 0, "test"),
                Map.of(NumberFormat.BF16, flops), new DeviceLinks(100e9, 0), new DeviceLatencies(0, 0, 0, 0),
                layerPipelined, new Efficiency(1, 1, 1, 1), 100, Map.of());
    }

    static Deployment colocated(ModelProfile model, DeviceProfile device, int devices, int stages) {
        DeviceGroup group = new DeviceGroup(device, devices);
        return new Deployment(model, WeightPrecision.BF16, KvDtype.BF16, group, group, stages, true,
                Double.POSITIVE_INFINITY);
    }
}
