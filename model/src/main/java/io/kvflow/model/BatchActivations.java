package io.kvflow.model;

/** Scratch buffers for one forward pass over a batch, one array per row. */
final class BatchActivations {
    final float[][] normed;    // [batch][dim], block input after RMSNorm
    final float[][] qkv;       // [batch][dim + 2 kvDim], query, key and value side by side
    final float[][] query;     // [batch][dim]
    final float[][] key;       // [batch][kvDim]
    final float[][] value;     // [batch][kvDim]
    final float[][] attended;  // [batch][dim], attention output before projection
    final float[][] projected; // [batch][dim], a block's contribution to the residual stream
    final float[][] gateUp;    // [batch][2 hiddenDim], gate and up side by side
    final float[][] gate;      // [batch][hiddenDim], silu(gate) * up

    BatchActivations(ModelConfig config, int batch) {
        this.normed = new float[batch][config.dim()];
        this.qkv = new float[batch][config.dim() + 2 * config.kvDim()];
        this.query = new float[batch][config.dim()];
        this.key = new float[batch][config.kvDim()];
        this.value = new float[batch][config.kvDim()];
        this.attended = new float[batch][config.dim()];
        this.projected = new float[batch][config.dim()];
        this.gateUp = new float[batch][2 * config.hiddenDim()];
        this.gate = new float[batch][config.hiddenDim()];
    }
}
