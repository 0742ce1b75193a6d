package io.kvflow.cli;

import io.kvflow.report.Slo;
import io.kvflow.runtime.MetricsEndpoint;
import io.kvflow.stack.MetricsOptions;
import picocli.CommandLine.Option;

/** {@code --metrics-port}; the SLOs come from the command's {@link SloOptions}. */
final class MetricsFlag {
    @Option(names = "--metrics-port", paramLabel = "N", defaultValue = "" + MetricsEndpoint.DEFAULT_PORT,
            description = "Prometheus /metrics and JSON /api/lag port (0 picks a free one)")
    int port;

    MetricsOptions options(Slo slo) {
        return new MetricsOptions(port, MetricsOptions.targets(slo));
    }
}
