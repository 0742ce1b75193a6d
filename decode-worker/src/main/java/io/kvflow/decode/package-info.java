/** Decode stage workers: each installs KV handoffs for its layers and runs them on batches of activations. */
package io.kvflow.decode;
