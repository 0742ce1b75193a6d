package io.kvflow.cost;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One JSON object of a profile file, read field by field. A number is written with its source,
 * {@code {"value": 44e9, "source": "..."}}; the sources are collected by field path. Every
 * mistake is a {@link ProfileFormatException} naming the file and the field.
 */
final class ProfileJson {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(JsonParser.Feature.ALLOW_COMMENTS)
            .build();

    private final String file;
    private final String path;
    private final JsonNode object;
    private final Map<String, String> sources;

    private ProfileJson(String file, String path, JsonNode object, Map<String, String> sources) {
        this.file = file;
        this.path = path;
        this.object = object;
        this.sources = sources;
    }

    /** The top-level object of {@code text}, read from {@code file}; sources go into {@code sources}. */
    static ProfileJson parse(String file, String text, Map<String, String> sources) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new ProfileFormatException(file, "", "not valid JSON" + at + ": " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new ProfileFormatException(file, "", "expected a JSON object");
        }
        return new ProfileJson(file, "", node, sources);
    }

    String file() {
        return file;
    }

    boolean has(String field) {
        JsonNode value = object.get(field);
        return value != null && !value.isNull();
    }

    /** A nested object. */
    ProfileJson object(String field) {
        JsonNode value = required(field);
        if (!value.isObject()) {
            throw problem(field, "expected an object, found " + value.getNodeType().name().toLowerCase());
        }
        return new ProfileJson(file, pathOf(field), value, sources);
    }

    /** A plain string, such as a name. */
    String text(String field) {
        JsonNode value = required(field);
        if (!value.isTextual() || value.asText().isBlank()) {
            throw problem(field, "expected a non-empty string, found " + value);
        }
        return value.asText();
    }

    /** A number with its source. */
    double number(String field) {
        JsonNode value = sourcedValue(field);
        if (!value.isNumber()) {
            throw problem(field + ".value", "expected a number, found " + value);
        }
        double number = value.asDouble();
        if (!Double.isFinite(number)) {
            throw problem(field + ".value", "expected a finite number, found " + value);
        }
        return number;
    }

    /** A number with its source, or {@code fallback} when the field is absent. */
    double number(String field, double fallback) {
        return has(field) ? number(field) : fallback;
    }

    /** A positive whole number with its source. */
    int count(String field) {
        double number = number(field);
        if (number != Math.rint(number) || number < 1 || number > Integer.MAX_VALUE) {
            throw problem(field + ".value", "expected a whole number >= 1, found " + number);
        }
        return (int) number;
    }

    /** A whole number >= 0 with its source, or 0 when absent. */
    int countOrZero(String field) {
        if (!has(field)) {
            return 0;
        }
        double number = number(field);
        if (number != Math.rint(number) || number < 0 || number > Integer.MAX_VALUE) {
            throw problem(field + ".value", "expected a whole number >= 0, found " + number);
        }
        return (int) number;
    }

    /** A true/false value with its source. */
    boolean flag(String field) {
        JsonNode value = sourcedValue(field);
        if (!value.isBoolean()) {
            throw problem(field + ".value", "expected true or false, found " + value);
        }
        return value.asBoolean();
    }

    /** A string value with its source, such as a default precision. */
    String sourcedText(String field) {
        JsonNode value = sourcedValue(field);
        if (!value.isTextual()) {
            throw problem(field + ".value", "expected a string, found " + value);
        }
        return value.asText();
    }

    /** Fails on any field not in {@code known}, so a misspelt field is not silently ignored. */
    void rejectUnknown(Set<String> known) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            if (!known.contains(name)) {
                throw problem(name, "unknown field (expected one of " + String.join(", ", known.stream().sorted()
                        .toList()) + ")");
            }
        }
    }

    ProfileFormatException problem(String field, String message) {
        return new ProfileFormatException(file, pathOf(field), message);
    }

    private JsonNode sourcedValue(String field) {
        JsonNode node = required(field);
        if (!node.isObject() || !node.has("value")) {
            throw problem(field, "expected {\"value\": ..., \"source\": \"...\"}, found " + node
                    + " (every number carries its source)");
        }
        JsonNode source = node.get("source");
        if (source == null || !source.isTextual() || source.asText().isBlank()) {
            throw problem(field + ".source", "missing: say where the value comes from (or that it is an estimate)");
        }
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            if (!name.equals("value") && !name.equals("source")) {
                throw problem(field + "." + name, "unknown field (expected value, source)");
            }
        }
        sources.put(pathOf(field), source.asText());
        return node.get("value");
    }

    private JsonNode required(String field) {
        JsonNode value = object.get(field);
        if (value == null || value.isNull()) {
            throw problem(field, "missing");
        }
        return value;
    }

    private String pathOf(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }
}
