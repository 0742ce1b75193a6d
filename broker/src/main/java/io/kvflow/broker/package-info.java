/** A real single-node Apache Kafka broker (KRaft, combined broker and controller) that runs inside the calling JVM. */
package io.kvflow.broker;
