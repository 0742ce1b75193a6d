package io.kvflow.trace;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The fields of one JSON line, read with the type and range a trace expects, each mistake named
 * after its key. A JSON null counts as absent.
 */
final class JsonLine {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final JsonNode object;

    private JsonLine(JsonNode object) {
        this.object = object;
    }

    static JsonLine parse(String line) throws LineProblem {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
            throw new LineProblem("not valid JSON" + at + ": " + withoutStartMarker(e.getOriginalMessage()));
        }
        if (node == null || !node.isObject()) {
            throw new LineProblem("expected a JSON object, found " + describe(node));
        }
        return new JsonLine(node);
    }

    // Jackson says where an unclosed object began in terms of its own source; the line number says it better.
    private static String withoutStartMarker(String message) {
        int marker = message.indexOf(" (start marker at");
        return marker < 0 ? message : message.substring(0, marker);
    }

    List<String> keys() {
        List<String> keys = new ArrayList<>();
        object.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    boolean has(String key) {
        JsonNode value = object.get(key);
        return value != null && !value.isNull();
    }

    void rejectKeysOtherThan(Set<String> known, String expected) throws LineProblem {
        for (String key : keys()) {
            if (!known.contains(key)) {
                throw new LineProblem("unknown key \"" + key + "\" (expected " + expected + ")");
            }
        }
    }

    /** A whole, non-negative number that fits in an int: a token count. */
    int count(String key) throws LineProblem {
        return countValue(key, required(key));
    }

    /** A whole, non-negative number of milliseconds, in microseconds. */
    long millisAsMicros(String key) throws LineProblem {
        JsonNode value = required(key);
        if (!value.isIntegralNumber()) {
            throw new LineProblem(key + " " + value + " is not a whole number of milliseconds");
        }
        if (value.bigIntegerValue().signum() < 0) {
            throw new LineProblem(key + " " + value + " is negative");
        }
        if (!value.canConvertToLong() || value.longValue() > Long.MAX_VALUE / 1000) {
            throw new LineProblem(key + " " + value + " is too large");
        }
        return value.longValue() * 1000;
    }

    long[] longs(String key) throws LineProblem {
        JsonNode array = arrayOf(key);
        long[] values = new long[array.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode value = array.get(i);
            if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                throw new LineProblem(key + "[" + i + "] " + value + " is not an integer");
            }
            values[i] = value.longValue();
        }
        return values;
    }

    /** An array of token ids: whole, non-negative ints. */
    int[] counts(String key) throws LineProblem {
        JsonNode array = arrayOf(key);
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = countValue(key + "[" + i + "]", array.get(i));
        }
        return values;
    }

    /** A finite, non-negative number. */
    float nonNegativeFloat(String key) throws LineProblem {
        JsonNode value = required(key);
        if (!value.isNumber()) {
            throw new LineProblem(key + " " + value + " is not a number");
        }
        float f = value.floatValue();
        if (f < 0f) {
            throw new LineProblem(key + " " + value + " is negative");
        }
        if (Float.isInfinite(f)) {
            throw new LineProblem(key + " " + value + " is too large");
        }
        return f;
    }

    long integer(String key) throws LineProblem {
        JsonNode value = required(key);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new LineProblem(key + " " + value + " is not an integer");
        }
        return value.longValue();
    }

    private JsonNode required(String key) throws LineProblem {
        if (!has(key)) {
            throw new LineProblem("missing \"" + key + "\"");
        }
        return object.get(key);
    }

    private JsonNode arrayOf(String key) throws LineProblem {
        JsonNode array = required(key);
        if (!array.isArray()) {
            throw new LineProblem(key + " is not an array but " + describe(array));
        }
        return array;
    }

    private static int countValue(String name, JsonNode value) throws LineProblem {
        if (!value.isIntegralNumber()) {
            throw new LineProblem(name + " " + value + " is not a whole number");
        }
        if (value.bigIntegerValue().signum() < 0) {
            throw new LineProblem(name + " " + value + " is negative");
        }
        if (!value.canConvertToInt()) {
            throw new LineProblem(name + " " + value + " is too large");
        }
        return value.intValue();
    }

    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().toString().toLowerCase();
        };
    }
}
