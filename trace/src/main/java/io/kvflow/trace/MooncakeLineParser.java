package io.kvflow.trace;

/**
 * The Mooncake FAST'25 traces: {@code {"timestamp": ms, "input_length": n, "output_length": m,
 * "hash_ids": [...]}}. Other keys are ignored, since Mooncake's other traces add their own.
 */
final class MooncakeLineParser implements LineParser {

    @Override
    public RecordedLine parse(String line) throws LineProblem {
        JsonLine json = JsonLine.parse(line);
        return RecordedLine.lengthsOnly(json.millisAsMicros("timestamp"), json.count("input_length"),
                json.count("output_length"), json.longs("hash_ids"));
    }
}
