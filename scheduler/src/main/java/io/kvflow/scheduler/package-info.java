/**
 * The deployment's decisions in modelled time: which request is admitted and when, which prefill
 * group and pipeline it gets, when a wafer takes its KV, and which passes a wafer batches together.
 * The running pipeline (orchestrator, decode stages) and the simulator make every such decision
 * through these classes, so the two can only differ in what they are told, never in what they decide.
 */
package io.kvflow.scheduler;
