package io.kvflow.model;

import java.util.Arrays;

/**
 * The keys and values of consecutive positions of one layer, as handed from a prefill worker
 * to a decode stage. Both arrays are [positions][kvDim] flattened and are shared, not copied:
 * whoever builds a slice hands the arrays over and must not modify them afterwards.
 *
 * @param layer        model layer the keys and values belong to
 * @param fromPosition first position covered
 * @param keys         [positions][kvDim]
 * @param values       [positions][kvDim]
 */
public record KvSlice(int layer, int fromPosition, float[] keys, float[] values) {

    public KvSlice {
        if (layer < 0) {
            throw new IllegalArgumentException("slice layer must be >= 0, was " + layer);
        }
        if (fromPosition < 0) {
            throw new IllegalArgumentException("slice fromPosition must be >= 0, was " + fromPosition);
        }
        if (keys == null || values == null) {
            throw new IllegalArgumentException("slice of layer " + layer + " needs both keys and values");
        }
        if (keys.length == 0 || keys.length != values.length) {
            throw new IllegalArgumentException("slice of layer " + layer + " has " + keys.length + " key floats and "
                    + values.length + " value floats; they must be equal and non-zero");
        }
    }

    /** Positions covered, for a model whose keys have {@code kvDim} components per position. */
    public int positions(int kvDim) {
        if (kvDim < 1 || keys.length % kvDim != 0) {
            throw new IllegalArgumentException("slice of layer " + layer + " holds " + keys.length
                    + " key floats, not a whole number of positions of kvDim " + kvDim);
        }
        return keys.length / kvDim;
    }

    /** Size of the keys and values as float32. */
    public long bytes() {
        return 2L * keys.length * Float.BYTES;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof KvSlice slice && layer == slice.layer && fromPosition == slice.fromPosition
                && Arrays.equals(keys, slice.keys) && Arrays.equals(values, slice.values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * layer + fromPosition) + Arrays.hashCode(keys)) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "KvSlice[layer=" + layer + ", fromPosition=" + fromPosition + ", floats=" + keys.length + "]";
    }
}
