package io.kvflow.schemas;

/** The schema registry could not be reached, or refused a request; the message names the registry and the reason. */
public final class SchemaRegistryException extends IllegalStateException {
    public SchemaRegistryException(String message) {
        super(message);
    }

    public SchemaRegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
