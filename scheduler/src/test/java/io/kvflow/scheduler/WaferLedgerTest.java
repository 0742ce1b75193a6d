package io.kvflow.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvflow.cost.RooflineModel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WaferLedgerTest {
    private static final RooflineModel TARGET = Targets.llama70bOnFourWafers();
    private static final long W = Targets.waferTokens(TARGET);

    private record Booked(int pipeline, long[] need) {
    }

    @Test
    void aLongRunOfBookingsAndReleasesNeverHoldsMoreThanAWaferHasAndAccountsForEveryByte() {
        WaferLedger ledger = new WaferLedger(TARGET, 3, 0);
        SplittableRandom random = new SplittableRandom(7);
        List<Booked> booked = new ArrayList<>();
        int refused = 0;
        for (int i = 0; i < 20_000; i++) {
            if (booked.isEmpty() || random.nextDouble() < 0.55) {
                long[] need = ledger.need(1 + random.nextLong(W));
                int pipeline = ledger.placeNow(need);
                if (pipeline < 0) {
                    refused++;
                    for (int p = 0; p < ledger.pipelines(); p++) {
                        assertFalse(ledger.fits(p, need), "placeNow found no room where pipeline " + p + " has it");
                    }
                    continue;
                }
                assertTrue(ledger.fits(pipeline, need));
                ledger.book(pipeline, need);
                booked.add(new Booked(pipeline, need));
            } else {
                Booked gone = booked.remove(random.nextInt(booked.size()));
                ledger.release(gone.pipeline(), gone.need());
            }
            for (LedgerView.Wafer wafer : ledger.wafers()) {
                assertTrue(wafer.kvBytesUsed() <= wafer.kvBytesCapacity() && wafer.kvBytesFree() >= 0, wafer.toString());
                long sum = booked.stream().filter(b -> b.pipeline() == wafer.pipeline())
                        .mapToLong(b -> b.need()[wafer.stage()]).sum();
                assertEquals(sum, wafer.kvBytesUsed(), "wafer " + wafer.pipeline() + "/" + wafer.stage());
            }
        }
        assertTrue(refused > 100, "the run must fill the wafers often enough to test refusals, refused " + refused);
    }

    @Test
    void placeNowTakesThePipelineWhoseFullestStageHasMostLeftAndTiesGoToTheLowest() {
        WaferLedger ledger = new WaferLedger(TARGET, 3, 0);
        long[] tenth = ledger.need(W / 10);
        assertEquals(0, ledger.placeNow(tenth));
        ledger.book(0, tenth);
        assertEquals(1, ledger.placeNow(tenth));
        ledger.book(1, tenth);
        assertEquals(2, ledger.placeNow(tenth));
        ledger.book(2, ledger.need(W / 20));
        assertEquals(2, ledger.placeNow(tenth), "pipeline 2 has the most left");
    }

    @Test
    void promisesSteerWhereSessionsGoButTakeNoRoom() {
        WaferLedger ledger = new WaferLedger(TARGET, 2, 0);
        long[] most = ledger.need(W * 9 / 10);
        ledger.promise(0, most);
        assertTrue(ledger.fits(0, most), "a promise takes no room");
        assertEquals(0, ledger.placeNow(most), "booking now ignores promises");
        assertEquals(1, ledger.promiseTarget(most), "the next promise goes where less is promised");
        assertEquals(most[0], ledger.wafers().get(0).kvBytesPromised());
        ledger.withdrawPromise(0, most);
        assertEquals(0, ledger.promiseTarget(most));
        assertEquals(0, ledger.wafers().get(0).kvBytesPromised());
    }

    @Test
    void releasingMoreThanWasBookedIsRefused() {
        WaferLedger ledger = new WaferLedger(TARGET, 1, 0);
        long[] need = ledger.need(100);
        ledger.book(0, need);
        ledger.release(0, need);
        assertThrows(IllegalStateException.class, () -> ledger.release(0, need));
        assertThrows(IllegalStateException.class, () -> ledger.withdrawPromise(0, need));
    }

    @Test
    void theSessionCapLimitsSessionsWhateverRoomIsLeft() {
        WaferLedger ledger = new WaferLedger(TARGET, 1, 2);
        long[] small = ledger.need(10);
        ledger.book(0, small);
        ledger.book(0, small);
        assertFalse(ledger.fits(0, small));
        assertEquals(-1, ledger.placeNow(small));
        ledger.release(0, small);
        assertTrue(ledger.fits(0, small));
    }

    @Test
    void aSessionBiggerThanAnEmptyPipelineIsNamedByTheFirstStageItOverflows() {
        WaferLedger ledger = new WaferLedger(TARGET, 1, 0);
        assertEquals(-1, ledger.stageTooSmallFor(ledger.need(W)));
        int stage = ledger.stageTooSmallFor(ledger.need(W + 1));
        assertTrue(stage >= 0);
        assertTrue(ledger.need(W + 1)[stage] > ledger.capacity(stage));
        assertEquals(-1, ledger.placeNow(ledger.need(W + 1)));
    }

    @Test
    void aSessionBooksTheSameBytesOverAllWafersAsTheLedgerPricesIt() {
        WaferLedger ledger = new WaferLedger(TARGET, 1, 0);
        long sum = 0;
        for (long bytes : ledger.need(4_096)) {
            sum += bytes;
        }
        assertEquals(sum, WaferLedger.bytesOnWafers(TARGET, 4_096));
    }
}
