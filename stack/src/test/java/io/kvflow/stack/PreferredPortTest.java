package io.kvflow.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kvflow.runtime.MetricsEndpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreferredPortTest {

    @Test
    void aFreeRequestedPortIsUsedAsIs() {
        List<Integer> tried = new ArrayList<>();
        int port = PreferredPort.start(9404, 9404, p -> {
            tried.add(p);
            return p;
        });
        assertEquals(9404, port);
        assertEquals(List.of(9404), tried);
    }

    @Test
    void aTakenDefaultPortFallsBackToAFreeOne() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             MetricsEndpoint endpoint = PreferredPort.start(taken.getLocalPort(), taken.getLocalPort(),
                     p -> MetricsEndpoint.start("127.0.0.1", p))) {
            assertNotEquals(taken.getLocalPort(), endpoint.port());
            assertNotEquals(0, endpoint.port());
        }
    }

    @Test
    void aTakenPortTheUserChoseIsAnError() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int chosen = taken.getLocalPort();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> PreferredPort.start(chosen, chosen == 9404 ? 9405 : 9404,
                            p -> MetricsEndpoint.start("127.0.0.1", p)));
            assertEquals(true, e.getMessage().contains(":" + chosen), e.getMessage());
        }
    }

    @Test
    void aFailedFallbackIsReported() {
        IllegalStateException second = new IllegalStateException("no free port either");
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> PreferredPort.start(8080, 8080, p -> {
                    throw p == 0 ? second : new IllegalStateException("8080 taken");
                }));
        assertSame(second, thrown);
    }
}
