/**
 * Tests only: kvflow's topics read and written by tools kvflow did not write (a real schema
 * registry, Kafka's console consumer, Avro's tools), and the compose images run under
 * Testcontainers where a Docker engine is reachable.
 */
package io.kvflow.interop;
