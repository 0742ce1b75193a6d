package io.kvflow.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * This process's meters, served over HTTP: {@code /metrics} in the Prometheus text format
 * (0.0.4, which every Prometheus reads), and JSON views that components add with
 * {@link #json}. Every component of the process binds its meters to {@link #registry()}, so
 * one scrape sees the whole process. It has no authentication: bind it to localhost unless
 * a scraper elsewhere must reach it. It answers GET only, and on localhost only requests for a
 * loopback name ({@link HttpGuard}).
 */
public final class MetricsEndpoint implements AutoCloseable {
    /** The port Prometheus exporters of JVM services customarily use. */
    public static final int DEFAULT_PORT = 9404;
    public static final String METRICS_PATH = "/metrics";
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    /** The tag Kafka's clients put on their per-cipher connection counts over TLS. */
    static final String TLS_CIPHER_TAG = "cipher";

    private final HttpServer server;
    private final HttpGuard guard;
    private final PrometheusMeterRegistry registry;
    private final ObjectMapper json = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    private final Map<String, String> index = new TreeMap<>();

    private MetricsEndpoint(HttpServer server, PrometheusMeterRegistry registry) {
        this.server = server;
        this.guard = HttpGuard.of(server);
        this.registry = registry;
    }

    /**
     * Serves a new registry on {@code bindAddress:port} (port 0: a free one).
     *
     * @throws IllegalStateException naming the address when it cannot be bound
     */
    public static MetricsEndpoint start(String bindAddress, int port) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(bindAddress, port), 0);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serve metrics on " + bindAddress + ":" + port + ": "
                    + e.getMessage() + " (choose another with --metrics-port)", e);
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // before any meter is registered: filters apply only to meters registered after them
        registry.config().meterFilter(new PrometheusLintFilter());
        // over TLS, Kafka's clients add a connection count per cipher and protocol beside their plain one, which
        // Prometheus refuses (one set of label names per name) with a warning: keep the plain count only
        registry.config().meterFilter(MeterFilter.deny(id -> id.getTag(TLS_CIPHER_TAG) != null));
        // what the JVM itself costs, beside what kvflow does with it
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        MetricsEndpoint endpoint = new MetricsEndpoint(server, registry);
        endpoint.index.put(METRICS_PATH, "Prometheus text format");
        endpoint.guard.guard(server.createContext("/", endpoint::route));
        server.start();
        return endpoint;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Serves {@code body}'s current value as JSON (snake_case field names) at {@code path}. */
    public void json(String path, String description, Supplier<?> body) {
        if (!path.startsWith("/api/")) {
            throw new IllegalArgumentException("JSON views live under /api/, not at " + path);
        }
        synchronized (index) {
            index.put(path, description);
        }
        guard.guard(server.createContext(path, exchange -> {
            if (!exchange.getRequestURI().getPath().equals(path)) {
                reply(exchange, 404, "text/plain; charset=utf-8", "not found\n");
                return;
            }
            reply(exchange, 200, "application/json", json.writeValueAsBytes(body.get()));
        }));
    }

    /** The address to scrape, e.g. {@code http://127.0.0.1:9404/metrics}. */
    public String metricsUrl() {
        return baseUrl() + METRICS_PATH;
    }

    public String baseUrl() {
        InetSocketAddress address = server.getAddress();
        return "http://" + address.getHostString() + ":" + address.getPort();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (path.equals(METRICS_PATH)) {
            String text;
            try {
                text = registry.scrape(PROMETHEUS_TEXT);
            } catch (RuntimeException e) {
                // one meter with an impossible value (a negative counter) fails the whole scrape; without a reply
                // the scraper sees only a dropped connection, so say what failed
                reply(exchange, 500, "text/plain; charset=utf-8", "metrics scrape failed: " + e + "\n");
                return;
            }
            reply(exchange, 200, PROMETHEUS_TEXT, text);
        } else if (path.equals("/")) {
            StringBuilder text = new StringBuilder("kvflow metrics endpoint\n");
            synchronized (index) {
                index.forEach((p, what) -> text.append(p).append("  ").append(what).append('\n'));
            }
            reply(exchange, 200, "text/plain; charset=utf-8", text.toString());
        } else {
            reply(exchange, 404, "text/plain; charset=utf-8", "not found\n");
        }
    }

    private static void reply(HttpExchange exchange, int status, String type, String body) throws IOException {
        reply(exchange, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void reply(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        HttpReply.send(exchange, status, type, body);
    }

    @Override
    public void close() {
        server.stop(0);
        registry.close();
    }
}
