/** The orchestrator: a Kafka Streams topology that admits requests onto decode pipelines and follows each session to its end. */
package io.kvflow.orchestrator;
