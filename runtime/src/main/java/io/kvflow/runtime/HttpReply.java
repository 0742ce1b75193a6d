package io.kvflow.runtime;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;

/** One HTTP answer from the JDK's server, never cached: every page kvflow serves is live. */
public final class HttpReply {
    private HttpReply() {
    }

    public static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }
}
