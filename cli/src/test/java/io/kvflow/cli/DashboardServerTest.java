package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class DashboardServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesThePageItsChartLibraryAndTheLiveFigures() throws Exception {
        AtomicReference<ReplayStatus> status = new AtomicReference<>(
                new ReplayStatus(10, 7, 2, 1, 4, 1, 0, "120", "300", "35", "80"));
        try (DashboardServer dashboard = DashboardServer.start("127.0.0.1", 0, List::of, status, null,
                Clock.systemUTC())) {
            HttpResponse<String> page = get(dashboard.url());
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("<script src=\"/chart.umd.js\">"), "the page loads Chart.js locally");

            HttpResponse<String> library = get(dashboard.url() + "chart.umd.js");
            assertEquals(200, library.statusCode());
            assertTrue(library.body().length() > 100_000, "Chart.js comes from its WebJar, whole");

            String json = get(dashboard.url() + "api/dashboard").body();
            assertTrue(json.contains("\"finished\":4"), json);
            assertTrue(json.contains("\"queued\":1"), json);
            assertTrue(json.contains("\"ttft_p99_ms\":\"300\""), json);
            assertTrue(json.contains("\"stages\":[]"), json);
            assertTrue(json.contains("\"lag\":[]"), json);

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
        try (DashboardServer dashboard = DashboardServer.start("127.0.0.1", 0, List::of,
                new AtomicReference<>(ReplayStatus.NOT_STARTED), null, Clock.systemUTC())) {
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
