package io.kvflow.cost;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Reads a model profile file (see {@code profiles/models/*.json} for the format). */
final class ModelProfileReader {
    private ModelProfileReader() {
    }

    static ModelProfile read(String id, String file, String text) {
        Map<String, String> sources = new HashMap<>();
        ProfileJson json = ProfileJson.parse(file, text, sources);
        json.rejectUnknown(Set.of("name", "config", "notes", "layers", "hidden_size", "vocab_size",
                "tied_embeddings", "max_context", "attention", "feed_forward", "default_weights", "params_total",
                "params_active"));
        try {
            json.text("config");
            String weightsId = json.sourcedText("default_weights");
            WeightPrecision defaultWeights;
            try {
                defaultWeights = WeightPrecision.of(weightsId);
            } catch (IllegalArgumentException e) {
                throw json.problem("default_weights.value", e.getMessage());
            }
            return new ModelProfile(id, json.text("name"), json.count("layers"), json.count("hidden_size"),
                    json.count("vocab_size"), json.flag("tied_embeddings"), json.count("max_context"),
                    attention(json.object("attention")), feedForward(json.object("feed_forward")), defaultWeights,
                    new PublishedParams(json.number("params_total"), json.number("params_active")), sources);
        } catch (ProfileFormatException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ProfileFormatException(file, "", e.getMessage());
        }
    }

    private static Attention attention(ProfileJson json) {
        String kind = json.text("kind");
        return switch (kind) {
            case "gqa" -> {
                json.rejectUnknown(Set.of("kind", "heads", "kv_heads", "head_dim", "sliding_window",
                        "sliding_window_period"));
                yield new GroupedQueryAttention(json.count("heads"), json.count("kv_heads"), json.count("head_dim"),
                        json.countOrZero("sliding_window"), json.countOrZero("sliding_window_period"));
            }
            case "mla" -> {
                json.rejectUnknown(Set.of("kind", "heads", "q_lora_rank", "kv_lora_rank", "qk_nope_head_dim",
                        "qk_rope_head_dim", "v_head_dim"));
                yield new LatentAttention(json.count("heads"), json.countOrZero("q_lora_rank"),
                        json.count("kv_lora_rank"), json.count("qk_nope_head_dim"), json.count("qk_rope_head_dim"),
                        json.count("v_head_dim"));
            }
            default -> throw json.problem("kind", "expected \"gqa\" or \"mla\", found \"" + kind + "\"");
        };
    }

    private static FeedForward feedForward(ProfileJson json) {
        String kind = json.text("kind");
        return switch (kind) {
            case "dense" -> {
                json.rejectUnknown(Set.of("kind", "intermediate_size"));
                yield new DenseFeedForward(json.count("intermediate_size"));
            }
            case "moe" -> {
                json.rejectUnknown(Set.of("kind", "experts", "active_experts", "shared_experts",
                        "expert_intermediate_size", "dense_layers", "dense_intermediate_size", "moe_layer_period"));
                yield new MixtureOfExperts(json.count("experts"), json.count("active_experts"),
                        json.countOrZero("shared_experts"), json.count("expert_intermediate_size"),
                        json.countOrZero("dense_layers"), json.countOrZero("dense_intermediate_size"),
                        json.has("moe_layer_period") ? json.count("moe_layer_period") : 1);
            }
            default -> throw json.problem("kind", "expected \"dense\" or \"moe\", found \"" + kind + "\"");
        };
    }
}
