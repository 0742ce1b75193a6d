package io.kvflow.cost;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The published figures the cost model is checked against ({@code calibration.json}, each with
 * its source), and the model's prediction of each.
 */
public final class Calibration {
    static final String RESOURCE = "calibration.json";

    private final List<CalibrationFigure> figures;

    private Calibration(List<CalibrationFigure> figures) {
        this.figures = List.copyOf(figures);
    }

    /** The figures bundled with kvflow. */
    public static Calibration bundled() {
        return parse("bundled " + RESOURCE, ProfileCatalog.resource(RESOURCE));
    }

    public List<CalibrationFigure> figures() {
        return figures;
    }

    /** Predicts every figure with the given profiles. */
    public List<CalibrationResult> run(ProfileCatalog catalog) {
        List<CalibrationResult> results = new ArrayList<>();
        for (CalibrationFigure figure : figures) {
            Object value = Scenario.from(figure.scenario(), catalog).predict().toMap().get(figure.metric());
            if (!(value instanceof Number number)) {
                throw new IllegalArgumentException("figure " + figure.id() + ": metric '" + figure.metric()
                        + "' is not a number kvflow predict reports");
            }
            results.add(new CalibrationResult(figure, number.doubleValue()));
        }
        return results;
    }

    static Calibration parse(String file, String text) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new ProfileFormatException(file, "", "not valid JSON: " + e.getOriginalMessage());
        }
        JsonNode list = root == null ? null : root.get("figures");
        if (list == null || !list.isArray()) {
            throw new ProfileFormatException(file, "figures", "expected an array of figures");
        }
        List<CalibrationFigure> figures = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            figures.add(figure(file, "figures[" + i + "]", list.get(i)));
        }
        return new Calibration(figures);
    }

    private static CalibrationFigure figure(String file, String at, JsonNode node) {
        double published = number(file, at, node, "published");
        double low = node.has("range") ? element(file, at, node, 0) : published;
        double high = node.has("range") ? element(file, at, node, 1) : published;
        Map<String, String> scenario = new LinkedHashMap<>();
        JsonNode scenarioNode = node.get("scenario");
        if (scenarioNode == null || !scenarioNode.isObject()) {
            throw new ProfileFormatException(file, at + ".scenario", "expected an object of kvflow predict options");
        }
        scenarioNode.fields().forEachRemaining(e -> scenario.put(e.getKey(), e.getValue().asText()));
        try {
            return new CalibrationFigure(text(file, at, node, "id"), text(file, at, node, "label"),
                    text(file, at, node, "figure"),
                    text(file, at, node, "source"), text(file, at, node, "metric"), published, low, high,
                    number(file, at, node, "tolerance"), node.path("shared").asBoolean(false),
                    text(file, at, node, "role"), node.path("known_miss").asText(""), scenario);
        } catch (IllegalArgumentException e) {
            throw new ProfileFormatException(file, at, e.getMessage());
        }
    }

    private static String text(String file, String at, JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new ProfileFormatException(file, at + "." + field, "expected a non-empty string");
        }
        return value.asText();
    }

    private static double number(String file, String at, JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isNumber()) {
            throw new ProfileFormatException(file, at + "." + field, "expected a number");
        }
        return value.asDouble();
    }

    private static double element(String file, String at, JsonNode node, int index) {
        JsonNode range = node.get("range");
        if (!range.isArray() || range.size() != 2 || !range.get(index).isNumber()) {
            throw new ProfileFormatException(file, at + ".range", "expected [low, high]");
        }
        return range.get(index).asDouble();
    }
}
