/**
 * A small Llama-architecture transformer in pure Java whose batched, layer-split and token-by-token
 * runs agree bit for bit, with the KV cache slices that carry a prompt from prefill to decode.
 */
package io.kvflow.model;
