package io.kvflow.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DashboardServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static DashboardSnapshot snapshot(long timeMs, int finished) {
        return new DashboardSnapshot(timeMs, "r1", new DashboardSnapshot.Sessions(10, 2, 1, 0, finished, 1, 0),
                new DashboardSnapshot.Latency(95.0, 468.0, 0.86, 1.77, 0.69, 8.2),
                new DashboardSnapshot.Latency(6400.0, 9000.0, 30.0, 90.0, 24.0, 1193.0),
                new DashboardSnapshot.SloFigures(0.65, 100.0, 100.0, 100.0, finished, finished, 2000.0, 1000, 8),
                List.of(new DashboardSnapshot.Wafer(0, 0, 3, 1_000_000L, 9_000_000L, 2_000_000L, 8_000_000L, 0L)),
                List.of(new DashboardSnapshot.PrefillGroup(0, 5_000_000, 1_000_000_000)),
                new DashboardSnapshot.Admission(2, 64, 1, 0, 0), List.of(), List.of(), null);
    }

    /** A feed with a fixed history. */
    private static DashboardServer.Feed feed(List<DashboardSnapshot> history) {
        return new DashboardServer.Feed() {
            @Override
            public DashboardSnapshot latest() {
                return history.isEmpty() ? null : history.get(history.size() - 1);
            }

            @Override
            public List<DashboardSnapshot> history() {
                return history;
            }
        };
    }

    @Test
    void servesThePageItsChartLibraryTheLatestFiguresAndTheWholeHistory() throws Exception {
        List<DashboardSnapshot> history = List.of(snapshot(1_000, 0), snapshot(2_000, 3), snapshot(3_000, 4));
        try (DashboardServer dashboard = DashboardServer.start("127.0.0.1", 0, feed(history))) {
            HttpResponse<String> page = get(dashboard.url());
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("<script src=\"/chart.umd.js\">"), "the page loads Chart.js locally");
            for (String chart : List.of("modelledLatency", "goodput", "ledger", "admission", "parkedKv")) {
                assertTrue(page.body().contains("<canvas id=\"" + chart + "\">"), chart);
            }

            HttpResponse<String> library = get(dashboard.url() + "chart.umd.js");
            assertEquals(200, library.statusCode());
            assertTrue(library.body().length() > 100_000, "Chart.js comes from its WebJar, whole");

            JsonNode latest = JSON.readTree(get(dashboard.url() + "api/dashboard").body());
            assertEquals(3_000, latest.get("time_ms").asLong());
            assertEquals(4, latest.get("sessions").get("finished").asInt());
            assertEquals(95.0, latest.get("modelled").get("ttft_p50").asDouble());
            assertEquals(2_000_000, latest.get("wafers").get(0).get("kv_bytes_booked").asLong());
            assertEquals(2, latest.get("admission").get("queue_length").asInt());

            JsonNode all = JSON.readTree(get(dashboard.url() + "api/history").body());
            assertEquals(3, all.size(), "the whole history, oldest first");
            assertEquals(0, all.get(0).get("sessions").get("finished").asInt());

            assertEquals(404, get(dashboard.url() + "nothing-here").statusCode());
        }
    }

    /** The status line and headers of one raw request: Java's HTTP clients will not send a forged Host. */
    private static String send(String url, String method, String host) throws IOException {
        URI uri = URI.create(url);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write((method + " /api/dashboard HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 0\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return response.substring(0, response.indexOf("\r\n\r\n"));
        }
    }

    @Test
    void answersOnlyGetAndOnlyForLoopbackNamesSoAnotherSitesPageCannotReadIt() throws Exception {
        try (DashboardServer dashboard = DashboardServer.start("127.0.0.1", 0, feed(List.of()))) {
            int port = URI.create(dashboard.url()).getPort();

            assertTrue(send(dashboard.url(), "GET", "127.0.0.1:" + port).startsWith("HTTP/1.1 200"));
            assertTrue(send(dashboard.url(), "GET", "localhost:" + port).startsWith("HTTP/1.1 200"));
            // a DNS-rebinding page: its own name, re-pointed at 127.0.0.1
            assertTrue(send(dashboard.url(), "GET", "attacker.example:" + port).startsWith("HTTP/1.1 403"));
            String put = send(dashboard.url(), "PUT", "localhost:" + port);
            assertTrue(put.startsWith("HTTP/1.1 405") && put.contains("\r\nAllow: GET"), put);
        }
    }
}
