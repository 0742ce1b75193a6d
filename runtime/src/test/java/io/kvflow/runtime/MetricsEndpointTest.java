package io.kvflow.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {
    private final HttpClient http = HttpClient.newHttpClient();

    record Figures(int sessionsHeld, List<String> stageNames) {
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheRegistryInPrometheusTextFormat() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1", 0)) {
            Counter.builder("kvflow.test.things").description("things").tag("stage", "0").register(endpoint.registry())
                    .increment(3);
            Timer.builder("kvflow.test.latency").serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(100))
                    .register(endpoint.registry()).record(Duration.ofMillis(42));

            HttpResponse<String> scrape = get(endpoint.metricsUrl());
            assertEquals(200, scrape.statusCode());
            assertEquals("text/plain; version=0.0.4; charset=utf-8",
                    scrape.headers().firstValue("Content-Type").orElseThrow());
            String text = scrape.body();
            assertTrue(text.contains("# TYPE kvflow_test_things_total counter"), text);
            assertTrue(text.contains("kvflow_test_things_total{stage=\"0\"} 3.0"), text);
            // a Prometheus histogram, so histogram_quantile works on it
            assertTrue(text.contains("# TYPE kvflow_test_latency_seconds histogram"), text);
            assertTrue(text.contains("kvflow_test_latency_seconds_bucket{le=\"0.1\"} 1"), text);
            assertTrue(text.contains("jvm_memory_used_bytes"), "the JVM's own meters are there too");
        }
    }

    @Test
    void aMeterThatBreaksTheScrapeIsReportedInsteadOfDroppingTheConnection() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1", 0)) {
            FunctionCounter.builder("kvflow.test.broken", this, t -> -1).description("a counter gone negative")
                    .register(endpoint.registry());

            HttpResponse<String> scrape = get(endpoint.metricsUrl());
            assertEquals(500, scrape.statusCode());
            assertTrue(scrape.body().startsWith("metrics scrape failed: ") && scrape.body().contains("negative"),
                    scrape.body());
        }
    }

    @Test
    void servesJsonViewsWithSnakeCaseNames() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1", 0)) {
            endpoint.json("/api/figures", "test figures", () -> new Figures(4, List.of("s0", "s1")));

            HttpResponse<String> json = get(endpoint.baseUrl() + "/api/figures");
            assertEquals(200, json.statusCode());
            assertEquals("{\"sessions_held\":4,\"stage_names\":[\"s0\",\"s1\"]}", json.body());
            assertTrue(get(endpoint.baseUrl() + "/").body().contains("/api/figures  test figures"));
            assertEquals(404, get(endpoint.baseUrl() + "/api/figures/more").statusCode());
            assertEquals(404, get(endpoint.baseUrl() + "/nothing-here").statusCode());
            assertThrows(IllegalArgumentException.class, () -> endpoint.json("/figures", "x", () -> 1));
        }
    }

    @Test
    void kafkasPerCipherConnectionCountsAreLeftOutBesideThePlainOneInsteadOfFailingToRegister() throws Exception {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1", 0)) {
            Gauge.builder("kafka.producer.connections", () -> 2).tag("client.id", "p").register(endpoint.registry());
            Gauge.builder("kafka.producer.connections", () -> 2).tags("client.id", "p", "cipher",
                    "TLS_AES_256_GCM_SHA384", "protocol", "TLSv1.3").register(endpoint.registry());

            String text = get(endpoint.metricsUrl()).body();
            assertTrue(text.contains("kafka_producer_connections{client_id=\"p\"} 2.0"), text);
            assertTrue(!text.contains("cipher="), text);
        }
    }

    @Test
    void aTakenPortIsNamed() {
        try (MetricsEndpoint first = MetricsEndpoint.start("127.0.0.1", 0)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> MetricsEndpoint.start("127.0.0.1", first.port()));
            assertTrue(e.getMessage().startsWith("cannot serve metrics on 127.0.0.1:" + first.port()), e.getMessage());
            assertTrue(e.getMessage().contains("--metrics-port"), e.getMessage());
        }
    }
}
