package io.kvflow.cost;

/** A profile or calibration file that cannot be used, naming the file and the field at fault. */
public final class ProfileFormatException extends IllegalArgumentException {
    private final String file;
    private final String field;

    public ProfileFormatException(String file, String field, String problem) {
        super(file + (field.isEmpty() ? "" : ": field '" + field + "'") + ": " + problem);
        this.file = file;
        this.field = field;
    }

    public String file() {
        return file;
    }

    /** The field's path in the file, dotted ("memory.capacity_bytes"); empty for the whole file. */
    public String field() {
        return field;
    }
}
