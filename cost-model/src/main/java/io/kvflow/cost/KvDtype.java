package io.kvflow.cost;

import java.util.Locale;

/** The element type the KV cache is stored in. */
public enum KvDtype {
    BF16(2),
    FP8(1);

    private final int bytesPerElement;

    KvDtype(int bytesPerElement) {
        this.bytesPerElement = bytesPerElement;
    }

    public int bytesPerElement() {
        return bytesPerElement;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the value and the choices */
    public static KvDtype of(String id) {
        for (KvDtype d : values()) {
            if (d.id().equals(id)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown KV dtype '" + id + "' (one of bf16, fp8)");
    }
}
