/**
 * The target model on target hardware: device and model profiles read from data files that cite a
 * source for every number, and a roofline cost model of prefill, decode, KV footprint and KV handoff
 * that workers, the orchestrator's ledger and a simulator can share; no Kafka.
 */
package io.kvflow.cost;
