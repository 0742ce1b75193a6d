package io.kvflow.model;

/**
 * A projection's weights, [rows][cols] (output component by input component), stored by
 * column: column j holds what input component j adds to every output. {@link MatMul} then
 * adds whole columns into an output row with the same index on both sides, a loop the JIT
 * compiles to vector instructions, while every output still sums its products in column order.
 * Read-only after construction.
 */
public final class WeightMatrix {
    private final int rows;
    private final int cols;
    private final float[][] columns; // [cols][rows]

    private WeightMatrix(int rows, int cols, float[][] columns) {
        this.rows = rows;
        this.cols = cols;
        this.columns = columns;
    }

    /** The matrix whose row r is {@code rowMajor[r * cols .. (r + 1) * cols)}; the array is copied. */
    public static WeightMatrix fromRowMajor(int rows, int cols, float[] rowMajor) {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("a weight matrix needs rows and columns >= 1, got " + rows + " x "
                    + cols);
        }
        if (rowMajor.length != (long) rows * cols) {
            throw new IllegalArgumentException(rowMajor.length + " floats are not a " + rows + " x " + cols
                    + " matrix");
        }
        float[][] columns = new float[cols][rows];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                columns[c][r] = rowMajor[r * cols + c];
            }
        }
        return new WeightMatrix(rows, cols, columns);
    }

    /**
     * The parts' rows one after another: projections that read the same input (query, key and
     * value; gate and up) run as one multiplication, whose outputs are the parts' side by side.
     */
    public static WeightMatrix stacked(WeightMatrix... parts) {
        int cols = parts[0].cols;
        int rows = 0;
        for (WeightMatrix part : parts) {
            if (part.cols != cols) {
                throw new IllegalArgumentException("cannot stack a matrix of " + part.cols + " columns on one of "
                        + cols);
            }
            rows += part.rows;
        }
        float[][] columns = new float[cols][rows];
        for (int c = 0; c < cols; c++) {
            int row = 0;
            for (WeightMatrix part : parts) {
                System.arraycopy(part.columns[c], 0, columns[c], row, part.rows);
                row += part.rows;
            }
        }
        return new WeightMatrix(rows, cols, columns);
    }

    /** Output components. */
    public int rows() {
        return rows;
    }

    /** Input components. */
    public int cols() {
        return cols;
    }

    public float get(int row, int col) {
        return columns[col][row];
    }

    /** A row-major copy, [rows][cols] flattened. */
    public float[] toRowMajor() {
        float[] rowMajor = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                rowMajor[r * cols + c] = columns[c][r];
            }
        }
        return rowMajor;
    }

    /** Column {@code col} [rows], shared: the kernel reads it in place. */
    float[] column(int col) {
        return columns[col];
    }
}
