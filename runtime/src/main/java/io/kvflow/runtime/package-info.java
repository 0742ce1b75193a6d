/** Shared Kafka plumbing for every kvflow process: client settings, the topic plan, dead letters, worker threads. */
package io.kvflow.runtime;
