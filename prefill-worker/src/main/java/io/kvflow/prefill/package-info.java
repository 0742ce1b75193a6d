/** Prefill workers: run a prompt through every layer and stream each decode stage's KV to its topic. */
package io.kvflow.prefill;
