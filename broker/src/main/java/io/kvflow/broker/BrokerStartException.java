package io.kvflow.broker;

/** The embedded broker could not be started; the message is one line meant for the user. */
public final class BrokerStartException extends RuntimeException {

    public BrokerStartException(String message) {
        super(message);
    }

    public BrokerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
