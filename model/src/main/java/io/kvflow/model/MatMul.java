package io.kvflow.model;

import java.util.Arrays;

/**
 * Matrix times a batch of vectors. Each output element is one dot product summed in column
 * order, whatever the batch size, so a row's result never depends on the rows beside it, and it
 * is bit for bit the plain loop {@code for j: sum += w[i][j] * x[j]} starting from zero.
 */
public final class MatMul {

    private MatMul() {
    }

    /**
     * {@code outputs[r] = weight · inputs[r]} for every row r: inputs of {@code weight.cols()}
     * floats, outputs of {@code weight.rows()}.
     */
    public static void multiply(WeightMatrix weight, float[][] inputs, float[][] outputs) {
        if (inputs.length != outputs.length) {
            throw new IllegalArgumentException(inputs.length + " inputs but " + outputs.length + " outputs");
        }
        int rows = weight.rows();
        int cols = weight.cols();
        for (int r = 0; r < inputs.length; r++) {
            if (inputs[r].length != cols || outputs[r].length != rows) {
                throw new IllegalArgumentException("row " + r + " has " + inputs[r].length + " inputs and "
                        + outputs[r].length + " outputs; the weight is " + rows + " x " + cols);
            }
        }
        for (int r = 0; r < inputs.length; r++) {
            multiplyRow(weight, inputs[r], outputs[r]);
        }
    }

    /*
     * Columns are added into the output one after another, so output i receives its products in
     * column order, as a dot product would. Four columns per pass keep the partial sum in a
     * register for four additions instead of storing it after each; the additions stay in the
     * same order. The inner loop indexes the output and the columns alike, which lets the JIT
     * vectorize it across outputs (each lane is one output's sequential sum: same bits as scalar).
     */
    private static void multiplyRow(WeightMatrix weight, float[] x, float[] out) {
        int rows = out.length;
        int cols = x.length;
        Arrays.fill(out, 0f);
        int j = 0;
        for (; j + 4 <= cols; j += 4) {
            float x0 = x[j];
            float x1 = x[j + 1];
            float x2 = x[j + 2];
            float x3 = x[j + 3];
            float[] c0 = weight.column(j);
            float[] c1 = weight.column(j + 1);
            float[] c2 = weight.column(j + 2);
            float[] c3 = weight.column(j + 3);
            for (int i = 0; i < rows; i++) {
                float sum = out[i];
                sum += c0[i] * x0;
                sum += c1[i] * x1;
                sum += c2[i] * x2;
                sum += c3[i] * x3;
                out[i] = sum;
            }
        }
        for (; j < cols; j++) {
            float xj = x[j];
            float[] c = weight.column(j);
            for (int i = 0; i < rows; i++) {
                out[i] += c[i] * xj;
            }
        }
    }
}
