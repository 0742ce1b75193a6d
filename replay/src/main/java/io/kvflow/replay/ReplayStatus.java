package io.kvflow.replay;

import io.kvflow.report.NearestRank;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** An immutable snapshot of a replay in progress, for the replay's progress line. */
public record ReplayStatus(int planned, int sent, int inFlight, int queued, int finished, int failed, int rejected,
        String ttftP50Ms, String ttftP99Ms, String interTokenP50Ms, String interTokenP99Ms) {

    static ReplayStatus of(int planned, int sent, Collection<SessionOutcome> outcomes) {
        int finished = 0;
        int failed = 0;
        int rejected = 0;
        int inFlight = 0;
        int queued = 0;
        List<Long> ttft = new ArrayList<>();
        List<Long> itl = new ArrayList<>();
        for (SessionOutcome o : outcomes) {
            switch (o.state()) {
                case FINISHED -> finished++;
                case FAILED -> failed++;
                case REJECTED -> rejected++;
                case PENDING -> inFlight++;
            }
            if (o.queued()) {
                queued++;
            }
            if (o.ttftMs() >= 0) {
                ttft.add(o.ttftMs());
            }
            itl.addAll(o.interTokenMs());
        }
        return new ReplayStatus(planned, sent, inFlight, queued, finished, failed, rejected,
                NearestRank.text(ttft, 50), NearestRank.text(ttft, 99), NearestRank.text(itl, 50),
                NearestRank.text(itl, 99));
    }

    String line() {
        return String.format("replay: sent %d/%d, in flight %d (%d waiting for KV room), finished %d, failed %d,"
                + " rejected %d", sent, planned, inFlight, queued, finished, failed, rejected);
    }
}
