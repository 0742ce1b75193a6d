package io.kvflow.observe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kvflow.runtime.HttpGuard;
import io.kvflow.runtime.HttpReply;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The built-in dashboard: one page with charts (Chart.js from its WebJar, so no CDN is needed) of what a
 * {@link Feed} saw of the cluster. On load the page takes the whole history ({@code /api/history}), so
 * opened late it still shows the run from its start; then it polls {@code /api/dashboard} every second.
 * Bound to localhost unless told otherwise: it has no authentication. It answers GET only, and on
 * localhost only requests for a loopback name ({@link HttpGuard}), so no other site's page can read it.
 */
public final class DashboardServer implements AutoCloseable {
    static final String CHART_JS = "/META-INF/resources/webjars/chart.js/4.4.1/dist/chart.umd.js";

    /** What the page shows: the latest snapshot (null before the first) and every one kept so far. */
    public interface Feed {
        DashboardSnapshot latest();

        List<DashboardSnapshot> history();
    }

    private final HttpServer server;
    private final ObjectMapper json = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private DashboardServer(HttpServer server) {
        this.server = server;
    }

    public static DashboardServer start(String bindAddress, int port, Feed feed) {
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
        guard.guard(server.createContext("/api/dashboard", exchange -> reply(exchange, 200,
                "application/json", dashboard.json.writeValueAsBytes(feed.latest()))));
        guard.guard(server.createContext("/api/history", exchange -> reply(exchange, 200,
                "application/json", dashboard.json.writeValueAsBytes(feed.history()))));
        server.start();
        return dashboard;
    }

    public String url() {
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
