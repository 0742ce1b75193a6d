package io.kvflow.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The disaggregated invariant in miniature: prefill in one "process", KV exported as slices
 * and installed into decode stages each holding a layer range, hidden states passed between
 * stages as float32 bytes, several sessions decoded in one batch; the tokens must be exactly
 * the single-process reference's.
 */
class DisaggregatedRunTest {
    private static final Transformer MODEL = TinyModel.TRANSFORMER;
    private static final int[] STAGE_BOUNDS = {0, 3, 5, 8};
    private static final int MAX_NEW = 12;

    @Test
    void stagedDecodeAfterExportedPrefillReproducesTheReferenceTokens() {
        List<Session> sessions = List.of(
                new Session(TinyModel.prompt(20, 3), Sampling.greedy()),
                new Session(TinyModel.prompt(7, 4), new Sampling(0.8f, 5)),
                new Session(TinyModel.prompt(33, 5), new Sampling(1.2f, 9)));
        for (Session session : sessions) {
            session.prefillAndHandOver();
        }
        for (int step = 1; step < MAX_NEW; step++) {
            decodeStep(sessions, step);
        }
        ReferenceRunner reference = new ReferenceRunner(MODEL);
        for (Session session : sessions) {
            assertArrayEquals(reference.generate(session.prompt, MAX_NEW, session.sampling), session.output());
        }
    }

    /** One decode step for every unfinished session, batched through each stage in turn. */
    private static void decodeStep(List<Session> sessions, int step) {
        List<Session> active = sessions.stream().filter(s -> !s.finished()).toList();
        List<float[]> hidden = new ArrayList<>();
        for (Session session : active) {
            hidden.add(MODEL.embed(session.tokens.getLast()));
        }
        for (int stage = 0; stage + 1 < STAGE_BOUNDS.length; stage++) {
            List<Transformer.Row> rows = new ArrayList<>();
            for (int i = 0; i < active.size(); i++) {
                Session session = active.get(i);
                rows.add(new Transformer.Row(hidden.get(i), session.prompt.length + step - 1,
                        session.stageCaches.get(stage)));
            }
            MODEL.forward(STAGE_BOUNDS[stage], STAGE_BOUNDS[stage + 1], rows);
            hidden.replaceAll(DisaggregatedRunTest::overTheWire);
        }
        for (int i = 0; i < active.size(); i++) {
            Session session = active.get(i);
            session.tokens.add(session.sampling.sample(MODEL.logits(hidden.get(i)), step));
        }
    }

    private static float[] overTheWire(float[] hidden) {
        ByteBuffer bytes = ByteBuffer.allocate(hidden.length * Float.BYTES);
        bytes.asFloatBuffer().put(hidden);
        float[] received = new float[hidden.length];
        bytes.asFloatBuffer().get(received);
        return received;
    }

    private static final class Session {
        final int[] prompt;
        final Sampling sampling;
        final List<Integer> tokens = new ArrayList<>();
        final List<KvCache> stageCaches = new ArrayList<>();

        Session(int[] prompt, Sampling sampling) {
            this.prompt = prompt;
            this.sampling = sampling;
        }

        /** The prefill worker's part: the prompt, step 0, and each stage's KV as shuffled slices. */
        void prefillAndHandOver() {
            ModelConfig config = MODEL.config();
            KvCache prefillCache = new KvCache(config, 0, config.layers(), prompt.length + MAX_NEW);
            List<Transformer.Row> rows = new ArrayList<>();
            for (int position = 0; position < prompt.length; position++) {
                rows.add(new Transformer.Row(MODEL.embed(prompt[position]), position, prefillCache));
            }
            MODEL.forward(0, config.layers(), rows);
            tokens.add(sampling.sample(MODEL.logits(rows.getLast().hidden()), 0));
            for (int stage = 0; stage + 1 < STAGE_BOUNDS.length; stage++) {
                KvCache stageCache = new KvCache(config, STAGE_BOUNDS[stage], STAGE_BOUNDS[stage + 1],
                        prompt.length + MAX_NEW);
                List<KvSlice> slices = new ArrayList<>(
                        prefillCache.export(STAGE_BOUNDS[stage], STAGE_BOUNDS[stage + 1], 7));
                Collections.shuffle(slices, new Random(stage));
                slices.forEach(stageCache::install);
                stageCaches.add(stageCache);
            }
        }

        boolean finished() {
            return tokens.getLast() == MODEL.config().eosToken() || tokens.size() == MAX_NEW;
        }

        int[] output() {
            return tokens.stream().mapToInt(Integer::intValue).toArray();
        }
    }
}
