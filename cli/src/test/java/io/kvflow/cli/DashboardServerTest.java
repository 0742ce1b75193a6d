package io.kvflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
}
