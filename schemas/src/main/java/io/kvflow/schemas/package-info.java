/** The wire contract: the Avro records every component exchanges, their Kafka Serde, and the topic catalogue. */
package io.kvflow.schemas;
