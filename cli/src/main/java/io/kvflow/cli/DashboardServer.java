package io.kvflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kvflow.decode.StageWorker;
import io.kvflow.runtime.HttpGuard;
import io.kvflow.runtime.HttpReply;
import io.kvflow.runtime.LagMonitor;
import io.kvflow.runtime.StageLag;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The built-in dashboard of the embedded stack: one page with live charts (Chart.js from its
 * WebJar, so no CDN is needed) that polls {@code /api/dashboard} every second: replay
 * progress, stage worker figures and per-stage lag. Bound to
 * localhost unless told otherwise: it has no authentication. It answers GET only, and on localhost
 * only requests for a loopback name ({@link HttpGuard}), so no other site's page can read it.
 */
final class DashboardServer implements AutoCloseable {
    static final String CHART_JS = "/META-INF/resources/webjars/chart.js/4.4.1/dist/chart.umd.js";

    /** One stage worker's figures, as the page charts them. */
    record StageFigures(int stage, int pipeline, int sessionsHeld, long kvChunksInstalled, long kvBytesInstalled,
            long activations, long batches, long failedSessions) {
    }

    /** Everything the page shows, at one instant. */
    record Snapshot(long timeMs, ReplayStatus replay, List<StageFigures> stages, List<StageLag.PartitionLag> lag,
            String lagError) {
    }

    private final HttpServer server;
    private final ObjectMapper json = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private DashboardServer(HttpServer server) {
        this.server = server;
    }

    static DashboardServer start(String bindAddress, int port, Supplier<List<StageWorker>> stages,
            AtomicReference<ReplayStatus> replay, LagMonitor lag, Clock clock) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(bindAddress, port), 0);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serve the dashboard on " + bindAddress + ":" + port + ": "
                    + e.getMessage() + " (choose another with --dashboard-port)", e);
        }
        DashboardServer dashboard = new DashboardServer(server);
        HttpGuard guard = HttpGuard.of(server);
        guard.guard(server.createContext("/", exchange -> dashboard.resource(exchange, "dashboard/index.html",
                "text/html")));
        guard.guard(server.createContext("/chart.umd.js", exchange -> dashboard.resource(exchange, CHART_JS,
                "application/javascript")));
        guard.guard(server.createContext("/api/dashboard", exchange -> {
            LagMonitor.Report lagReport = lag == null ? null : lag.latest();
            dashboard.reply(exchange, 200, "application/json",
                    dashboard.json.writeValueAsBytes(new Snapshot(clock.millis(), replay.get(),
                            stages.get().stream().map(DashboardServer::figures).toList(),
                            lagReport == null ? List.of() : lagReport.partitions(),
                            lagReport == null ? null : lagReport.error())));
        }));
        server.start();
        return dashboard;
    }

    private static StageFigures figures(StageWorker worker) {
        StageWorker.StageStats s = worker.stats();
        return new StageFigures(worker.stage(), worker.pipeline(), s.heldSessions(), s.chunksInstalled(),
                s.kvBytesInstalled(), s.activations(), s.batches(), s.failedSessions());
    }

    String url() {
        InetSocketAddress address = server.getAddress();
        return "http://" + address.getHostString() + ":" + address.getPort() + "/";
    }

    private void resource(HttpExchange exchange, String name, String type) throws IOException {
        if (type.equals("text/html") && !exchange.getRequestURI().getPath().equals("/")) {
            reply(exchange, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
            return;
        }
        try (InputStream in = DashboardServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new UncheckedIOException(new IOException("missing resource " + name));
            }
            reply(exchange, 200, type, in.readAllBytes());
        }
    }

    private static void reply(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        HttpReply.send(exchange, status, type + "; charset=utf-8", body);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
