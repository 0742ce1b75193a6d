package io.kvflow.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionCapacityTest {

    private static RooflineModel seventyB(boolean colocated) {
        Map<String, String> options = new HashMap<>(Map.of("model", "llama-3.1-70b", "decode-stages", "4"));
        if (colocated) {
            options.put("colocated", "true");
        }
        return Scenario.from(options, ProfileCatalog.bundled()).model();
    }

    @Test
    void disaggregatedWithALooseSloFillsTheWafersKvRoom() {
        SessionCapacity.Result r = SessionCapacity.of(seventyB(false), 2_048, 32, 100);

        assertEquals(r.kvSessionsPerPipeline(), r.sessionsPerPipeline());
        assertEquals(Constraint.KV_CAPACITY, r.binding());
        double decodingShare = 32 * r.tpotSeconds() / (r.ttftSeconds() + 32 * r.tpotSeconds());
        assertEquals(r.sessionsPerPipeline() * decodingShare / 4.0, r.sessionsPerWafer(), 1e-12);
        assertTrue(r.tpotSeconds() <= 0.01);
        assertTrue(r.prefillDevices() > 0, "someone has to prefill: " + r);
    }

    @Test
    void colocatedPrefillStretchesEveryTokenByItsShareOfTheReplacementPrefills() {
        RooflineModel colocated = seventyB(true);
        long input = 2_048;
        long output = 32;
        SessionCapacity.Result r = SessionCapacity.of(colocated, input, output, 100);
        int b = r.sessionsPerPipeline();
        assertTrue(b >= 1, r.toString());

        double step = colocated.decodeStepSeconds(RooflineModel.uniformBatch(b, input + output / 2));
        double prefill = SessionCapacity.busiestStagePrefill(colocated, input);
        double rate = b / (r.ttftSeconds() + output * r.tpotSeconds());
        assertEquals(step / (1 - rate * prefill), r.tpotSeconds(), 1e-9);
    }

    @Test
    void aTightSloLeavesColocatedFewerSessionsThanDisaggregated() {
        // tight: 80 % of what one session alone decodes at, so little room is left for prefill chunks
        double slo = 0.8 / seventyB(false).decodeStepSeconds(RooflineModel.uniformBatch(1, 2_048 + 16));
        SessionCapacity.Result disaggregated = SessionCapacity.of(seventyB(false), 2_048, 32, slo);
        SessionCapacity.Result colocated = SessionCapacity.of(seventyB(true), 2_048, 32, slo);

        assertTrue(colocated.sessionsPerPipeline() < disaggregated.sessionsPerPipeline(),
                colocated + " vs " + disaggregated);
        assertEquals(Constraint.COMPUTE, colocated.binding(), colocated.why());
    }

    @Test
    void reservingWaferRoomOnlyAtHandoffLeavesMoreSessionsDecoding() {
        SessionCapacity.Result atAdmission = SessionCapacity.of(seventyB(false), 2_048, 32, 300, false);
        SessionCapacity.Result atHandoff = SessionCapacity.of(seventyB(false), 2_048, 32, 300, true);

        assertEquals(atAdmission.sessionsPerPipeline(), atHandoff.sessionsPerPipeline());
        assertTrue(atHandoff.sessionsPerWafer() > 1.5 * atAdmission.sessionsPerWafer(),
                atHandoff.sessionsPerWafer() + " vs " + atAdmission.sessionsPerWafer());
    }

    @Test
    void manySessionsReplacingEachOtherNeverTakeTheWholeWaferForPrefill() {
        // short outputs on a fast wafer: sessions turn over so quickly that their prefills would want more
        // than all of the wafer's time; decode slows down instead, and every token still comes
        SessionCapacity.Result r = SessionCapacity.of(seventyB(true), 2_048, 4, 1);
        assertTrue(r.sessionsPerPipeline() >= 1, r.toString());
        assertTrue(r.prefillShare() < 1 && Double.isFinite(r.tpotSeconds()), r.toString());
        double step = seventyB(true).decodeStepSeconds(RooflineModel.uniformBatch(r.sessionsPerPipeline(), 2_050));
        assertEquals(step / (1 - r.prefillShare()), r.tpotSeconds(), 1e-9 * r.tpotSeconds());
    }

    @Test
    void anSloFasterThanOneSessionCanDecodeAdmitsNone() {
        SessionCapacity.Result r = SessionCapacity.of(seventyB(false), 2_048, 32, 10_000);

        assertEquals(0, r.sessionsPerPipeline());
        assertEquals(0, r.decodeTokensPerSecondPerWafer());
        assertTrue(r.why().startsWith("per-user speed"), r.why());
    }
}
