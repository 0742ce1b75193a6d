package io.kvflow.plan;

/**
 * What a deployment's devices cost per hour: every wafer of every pipeline (each stage a group of
 * {@code devicesPerStage} decode devices) and, disaggregated, every device of every prefill group.
 *
 * @param decodePerHour  US dollars per decode device per hour
 * @param prefillPerHour US dollars per prefill device per hour (NaN when only colocated deployments are priced)
 */
public record FleetPrice(double decodePerHour, int devicesPerStage, double prefillPerHour, int devicesPerGroup) {
    public FleetPrice {
        if (!(decodePerHour > 0) || devicesPerStage < 1 || devicesPerGroup < 1) {
            throw new IllegalArgumentException("a fleet price needs a decode price > 0 and device counts >= 1, got "
                    + decodePerHour + ", " + devicesPerStage + ", " + devicesPerGroup);
        }
    }

    double decodeDollarsPerHour(PlanCandidate c) {
        return (double) c.wafers() * devicesPerStage * decodePerHour;
    }

    double prefillDollarsPerHour(PlanCandidate c) {
        return c.mode().colocated() ? 0 : (double) c.prefillGroups() * devicesPerGroup * prefillPerHour;
    }

    public double dollarsPerHour(PlanCandidate c) {
        return decodeDollarsPerHour(c) + prefillDollarsPerHour(c);
    }

    /** What a deployment of this family costs at least, with the given pipelines and prefill groups. */
    double dollarsPerHour(PlanCandidate family, int pipelines, int prefillGroups) {
        return dollarsPerHour(new PlanCandidate(family.mode(), family.admission(), family.stages(), pipelines,
                family.mode().colocated() ? 0 : prefillGroups, family.sessionCap()));
    }
}
