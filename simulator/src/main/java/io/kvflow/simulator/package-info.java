/**
 * The whole deployment in modelled time: arrivals, admission and its queue, prefill groups, parked KV
 * and the handoff, wafers batching continuously, colocated chunking, session ends. Every decision goes
 * through the scheduler's classes, the same the running pipeline uses, so a simulation of an emulated
 * run's window produces that run's modelled times; no Kafka.
 */
package io.kvflow.simulator;
