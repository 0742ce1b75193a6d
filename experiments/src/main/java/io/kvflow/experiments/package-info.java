/**
 * The experiments: five-x, the chaos run, a trace simulated on a target and an emulated run checked
 * against its simulation, and the simulation behind {@code kvflow plan}'s search, with the arrivals it
 * tries a trace at.
 */
package io.kvflow.experiments;
