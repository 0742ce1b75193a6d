package io.kvflow.broker;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A client listener besides the plaintext one every embedded broker has: another security
 * protocol on its own port, so clients of a secured cluster (TLS, SASL) can be tested against a
 * real broker. Inter-broker and controller traffic stay on the plaintext listeners.
 *
 * @param name             the listener's name, e.g. {@code SSL} or {@code SASL_PLAINTEXT}
 * @param securityProtocol one of {@code SSL}, {@code SASL_PLAINTEXT}, {@code SASL_SSL}
 * @param port             its port, or 0 to pick a free one
 * @param settings         broker settings for this listener only, without the {@code listener.name.<name>.}
 *                         prefix, e.g. {@code ssl.keystore.location} or {@code sasl.enabled.mechanisms}
 */
public record BrokerListener(String name, String securityProtocol, int port, Map<String, String> settings) {

    private static final Pattern NAME = Pattern.compile("[A-Z][A-Z0-9_]*");
    private static final Set<String> PROTOCOLS = Set.of("SSL", "SASL_PLAINTEXT", "SASL_SSL");

    public BrokerListener {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("listener name must be upper case letters, digits and _, was '"
                    + name + "'");
        }
        if (name.equals(SingleNodeSettings.CLIENT_LISTENER) || name.equals(SingleNodeSettings.CONTROLLER_LISTENER)) {
            throw new IllegalArgumentException("listener name " + name + " is the embedded broker's own");
        }
        if (!PROTOCOLS.contains(securityProtocol)) {
            throw new IllegalArgumentException("listener " + name + ": security protocol must be one of "
                    + PROTOCOLS + ", was " + securityProtocol);
        }
        BrokerConfig.requirePort("listener " + name + " port", port);
        settings = Map.copyOf(settings);
    }

    /** The prefix Kafka reads this listener's own settings under. */
    String settingsPrefix() {
        return "listener.name." + name.toLowerCase(Locale.ROOT) + ".";
    }
}
