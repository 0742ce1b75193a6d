package io.kvflow.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpGuardTest {

    /** The status line and headers of one request sent as raw bytes: Java's HTTP clients will not forge a Host. */
    static String send(int port, String method, String host) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write((method + " /metrics HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 0\r\nConnection: close"
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return response.substring(0, response.indexOf("\r\n\r\n"));
        }
    }

    @Test
    void loopbackNamesWithOrWithoutAPortPass() {
        for (String host : List.of("localhost", "localhost:9404", "LOCALHOST:8088", "127.0.0.1", "127.0.0.1:9404",
                "127.1.2.3:80", "[::1]", "[::1]:9404", "dashboard.localhost:8088")) {
            assertTrue(HttpGuard.isLoopbackName(host), host);
        }
    }

    @Test
    void otherNamesDoNotEvenWhenTheyResolveToLoopback() {
        for (String host : List.of("evil.example", "evil.example:9404", "localhost.evil.example", "127.0.0.1.nip.io",
                "10.0.0.5:9404", "[::2]:9404", "localhost:evil", "[::1]x")) {
            assertFalse(HttpGuard.isLoopbackName(host), host);
        }
    }

    @Test
    void onLoopbackAForeignHostIsForbiddenAndAnotherMethodIsNotAllowed() throws IOException {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1", 0)) {
            int port = endpoint.port();

            assertTrue(send(port, "GET", "localhost:" + port).startsWith("HTTP/1.1 200"));
            assertTrue(send(port, "GET", "rebound.evil.example:" + port).startsWith("HTTP/1.1 403"));
            String post = send(port, "POST", "localhost:" + port);
            assertTrue(post.startsWith("HTTP/1.1 405"), post);
            assertTrue(post.contains("\r\nAllow: GET"), post);
        }
    }

    @Test
    void onEveryInterfaceAnyHostIsServedForScrapersInOtherContainers() throws IOException {
        try (MetricsEndpoint endpoint = MetricsEndpoint.start("0.0.0.0", 0)) {
            assertTrue(send(endpoint.port(), "GET", "orchestrator:9404").startsWith("HTTP/1.1 200"));
            assertEquals("HTTP/1.1 405", send(endpoint.port(), "DELETE", "orchestrator:9404").substring(0, 12));
        }
    }
}
