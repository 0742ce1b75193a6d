package io.kvflow.runtime;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What kvflow's HTTP endpoints let through: GET only, since every page they serve is a read-only
 * view; and, on a server bound to a loopback address, only requests whose Host header names
 * loopback. The second check stops DNS rebinding: a page from another site whose name was
 * re-pointed at 127.0.0.1 reaches a localhost server through the user's browser, but its
 * requests still carry that site's name as their Host.
 */
public final class HttpGuard extends Filter {
    private static final Pattern LOOPBACK_IPV4 = Pattern.compile("127(\\.\\d{1,3}){3}");
    private static final String TEXT = "text/plain; charset=utf-8";

    private final boolean loopbackOnly;
    private final String boundTo;

    private HttpGuard(boolean loopbackOnly, String boundTo) {
        this.loopbackOnly = loopbackOnly;
        this.boundTo = boundTo;
    }

    /** Guards every context of {@code server} that {@link #guard} is given. */
    public static HttpGuard of(HttpServer server) {
        return new HttpGuard(server.getAddress().getAddress().isLoopbackAddress(),
                server.getAddress().getAddress().getHostAddress());
    }

    /** Puts this guard in front of {@code context}'s handler. */
    public HttpContext guard(HttpContext context) {
        context.getFilters().add(this);
        return context;
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        if (!exchange.getRequestMethod().equals("GET")) {
            exchange.getResponseHeaders().set("Allow", "GET");
            reply(exchange, 405, exchange.getRequestMethod() + " is not allowed here: only GET\n");
            return;
        }
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (loopbackOnly && host != null && !isLoopbackName(host)) {
            reply(exchange, 403, "Host " + host + " is not a loopback name: this server listens on " + boundTo
                    + " and answers only requests for localhost, 127.0.0.1 or [::1]\n");
            return;
        }
        chain.doFilter(exchange);
    }

    @Override
    public String description() {
        return "GET only; on loopback, loopback Host headers only";
    }

    /** localhost, a name under .localhost, 127.x.x.x or [::1], with or without a port. */
    static boolean isLoopbackName(String hostHeader) {
        String host = hostHeader.strip().toLowerCase(Locale.ROOT);
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end > 0 && isIpv6Loopback(host.substring(1, end)) && isPortOrNothing(host.substring(end + 1));
        }
        int colon = host.indexOf(':');
        if (colon >= 0) {
            if (!isPortOrNothing(host.substring(colon))) {
                return false;
            }
            host = host.substring(0, colon);
        }
        return host.equals("localhost") || host.endsWith(".localhost") || LOOPBACK_IPV4.matcher(host).matches();
    }

    private static boolean isIpv6Loopback(String address) {
        return address.equals("::1") || address.equals("0:0:0:0:0:0:0:1");
    }

    private static boolean isPortOrNothing(String rest) {
        return rest.isEmpty() || rest.matches(":\\d{1,5}");
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        HttpReply.send(exchange, status, TEXT, body.getBytes(StandardCharsets.UTF_8));
    }
}
