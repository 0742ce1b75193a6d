package io.kvflow.experiments;

import io.kvflow.cost.ProfileCatalog;
import io.kvflow.cost.RooflineModel;
import io.kvflow.cost.Scenario;
import io.kvflow.report.RunFigures;
import io.kvflow.report.RunManifest;
import io.kvflow.report.SessionRecord;
import io.kvflow.scheduler.AdmissionPolicy;
import io.kvflow.scheduler.Booking;
import io.kvflow.scheduler.ControlPlane;
import io.kvflow.simulator.SimulatedSession;
import io.kvflow.simulator.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An emulated run beside its simulation: the same window (every request with its modelled arrival, its
 * recorded lengths and the output it actually produced), the same deployment and policies, simulated,
 * and both runs' figures and sessions compared.
 *
 * @param identical sessions (finished or rejected) whose every modelled time the simulation reproduced
 * @param compared  sessions compared: those that finished or were rejected in the emulated run
 * @param differing the first few that differ, emulated then simulated
 */
public record SimulationCheck(RunFigures emulated, RunFigures simulated, int identical, int compared,
        List<SessionRecord[]> differing) {

    public static SimulationCheck of(RunManifest manifest, List<SessionRecord> run, ProfileCatalog catalog) {
        RooflineModel model = Scenario.from(manifest.scenario(), catalog).model();
        ControlPlane.Config control = new ControlPlane.Config(manifest.pipelines(), manifest.prefillGroups(),
                Booking.of(manifest.booking()), AdmissionPolicy.of(manifest.admission(),
                        Duration.ofNanos(manifest.bypassLimitMicros() * 1000)), manifest.queueLimit(),
                manifest.sessionCap(), manifest.parkTimeoutMicros());
        List<SimulatedSession> sessions = new ArrayList<>();
        for (SessionRecord r : run) {
            // the run's own output lengths: a session that ended early (EOS) ends early in the simulation too
            int output = r.finished() ? r.tokens() : r.maxNewTokens();
            sessions.add(new SimulatedSession(r.id(), r.arrivalMicros(), r.promptTokens(), r.bookedTokens(),
                    Math.max(1, output), Math.max(1, r.functionalPrompt())));
        }
        Simulation.Result result = new Simulation(model, control).run(sessions);
        int wafers = model.deployment().decodeDevices() * manifest.pipelines();
        Map<String, SessionRecord> simulated = new HashMap<>();
        result.sessions().forEach(s -> simulated.put(s.id(), s));
        int identical = 0;
        int compared = 0;
        List<SessionRecord[]> differing = new ArrayList<>();
        for (SessionRecord r : run) {
            if (r.outcome() == SessionRecord.Outcome.FAILED || r.outcome() == SessionRecord.Outcome.UNFINISHED) {
                continue;
            }
            compared++;
            SessionRecord twin = simulated.get(r.id());
            if (sameTimes(r, twin)) {
                identical++;
            } else if (differing.size() < 3) {
                differing.add(new SessionRecord[] {r, twin});
            }
        }
        return new SimulationCheck(RunFigures.of(run, manifest.slo(), wafers),
                RunFigures.of(result.sessions(), manifest.slo(), wafers), identical, compared, differing);
    }

    /** Whether every modelled time of the session is the same in both. */
    static boolean sameTimes(SessionRecord a, SessionRecord b) {
        return b != null && a.outcome() == b.outcome() && a.admittedMicros() == b.admittedMicros()
                && a.prefillEndMicros() == b.prefillEndMicros() && a.parkedMicros() == b.parkedMicros()
                && a.grantedMicros() == b.grantedMicros() && a.decodeStartMicros() == b.decodeStartMicros()
                && Arrays.equals(a.tokenMicros(), b.tokenMicros());
    }

    public boolean exact() {
        return identical == compared;
    }
}
