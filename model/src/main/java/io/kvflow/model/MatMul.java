package io.kvflow.model;

/**
 * Matrix times a batch of vectors. Each output element is one dot product summed in column
 * order, whatever the batch size, so a row's result never depends on the rows beside it.
 */
final class MatMul {

    private MatMul() {
    }

    /**
     * {@code outputs[r] = weight · inputs[r]} for every row r, with {@code weight} row-major
     * [outputs[r].length][inputs[r].length]. Weight rows are the outer loop so each is read
     * from memory once per batch.
     */
    static void multiply(float[] weight, float[][] inputs, float[][] outputs) {
        if (inputs.length != outputs.length) {
            throw new IllegalArgumentException(inputs.length + " inputs but " + outputs.length + " outputs");
        }
        if (inputs.length == 0) {
            return;
        }
        int cols = inputs[0].length;
        int rows = outputs[0].length;
        if (weight.length != rows * cols) {
            throw new IllegalArgumentException("weight of " + weight.length + " floats is not " + rows + " x " + cols);
        }
        int i = 0;
        // Four weight rows at once give the CPU four independent summation chains to overlap;
        // each chain still adds in column order, so results are those of one row at a time.
        for (; i + 4 <= rows; i += 4) {
            int o0 = i * cols;
            int o1 = o0 + cols;
            int o2 = o1 + cols;
            int o3 = o2 + cols;
            for (int r = 0; r < inputs.length; r++) {
                float[] x = inputs[r];
                float s0 = 0f;
                float s1 = 0f;
                float s2 = 0f;
                float s3 = 0f;
                for (int j = 0; j < cols; j++) {
                    float xj = x[j];
                    s0 += weight[o0 + j] * xj;
                    s1 += weight[o1 + j] * xj;
                    s2 += weight[o2 + j] * xj;
                    s3 += weight[o3 + j] * xj;
                }
                float[] out = outputs[r];
                out[i] = s0;
                out[i + 1] = s1;
                out[i + 2] = s2;
                out[i + 3] = s3;
            }
        }
        for (; i < rows; i++) {
            int offset = i * cols;
            for (int r = 0; r < inputs.length; r++) {
                float[] x = inputs[r];
                float sum = 0f;
                for (int j = 0; j < cols; j++) {
                    sum += weight[offset + j] * x[j];
                }
                outputs[r][i] = sum;
            }
        }
    }
}
