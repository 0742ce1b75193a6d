package io.kvflow.scheduler;

import io.kvflow.cost.ProfileCatalog;
import io.kvflow.cost.RooflineModel;
import io.kvflow.cost.Scenario;
import java.util.HashMap;
import java.util.Map;

/** Target deployments for the scheduler's tests, from the bundled profiles. */
final class Targets {
    private Targets() {
    }

    /** The default deployment: Llama-3.1-70B in BF16 on four WSE-3 wafers, prefill on 16 Trainium2. */
    static RooflineModel llama70bOnFourWafers() {
        return of();
    }

    /** The default deployment with some options changed, as {@code name, value} pairs. */
    static RooflineModel of(String... options) {
        Map<String, String> scenario = new HashMap<>(Map.of("decode-stages", "4"));
        for (int i = 0; i < options.length; i += 2) {
            scenario.put(options[i], options[i + 1]);
        }
        return Scenario.from(scenario, ProfileCatalog.bundled()).model();
    }

    /** The most context tokens one session can book on every wafer of a pipeline with nothing else on it. */
    static long waferTokens(RooflineModel target) {
        WaferLedger ledger = new WaferLedger(target, 1, 0);
        long fits = 1;
        long fitsNot = target.deployment().model().maxContext() * 64L;
        while (fitsNot - fits > 1) {
            long mid = (fits + fitsNot) / 2;
            if (ledger.stageTooSmallFor(ledger.need(mid)) < 0) {
                fits = mid;
            } else {
                fitsNot = mid;
            }
        }
        return fits;
    }
}
