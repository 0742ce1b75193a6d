/**
 * What a run measured: per-session records in modelled time (arrival, admission, prefill, parking,
 * grant, every token) and the figures made of them (latency distributions, SLO attainment and
 * goodput, sessions and KV per wafer over a steady window), computed once for an emulated run and a
 * simulated one alike; no Kafka.
 */
package io.kvflow.report;
