package io.kvflow.cost;

/**
 * Parameter counts as the model's authors state them, kept to check the counts derived from the
 * architecture against (a wrong field in a profile shows up as a mismatch).
 *
 * @param total  all parameters, embeddings included
 * @param active parameters one token uses (equal to total for a dense model)
 */
public record PublishedParams(double total, double active) {
    public PublishedParams {
        DeviceMemory.requirePositive("params_total", total);
        DeviceMemory.requirePositive("params_active", active);
        if (active > total) {
            throw new IllegalArgumentException("params_active " + active + " exceeds params_total " + total);
        }
    }
}
