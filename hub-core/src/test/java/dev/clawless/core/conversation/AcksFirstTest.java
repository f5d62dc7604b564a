package dev.clawless.core.conversation;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When background work waits for acknowledgements, and for how long at most. */
class AcksFirstTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final AcksFirst acksFirst = new AcksFirst(Duration.ofSeconds(2), now::get);

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void aWriterThatKeepsUpHoldsNothingBack() {
        assertFalse(acksFirst.holding(), "nothing written yet");
        for (int i = 0; i < 100; i++) {
            acksFirst.batchWritten(1); // one request per commit: nobody waited on anybody
            advance(Duration.ofMillis(1));
            assertFalse(acksFirst.holding());
        }
    }

    @Test
    void busyBatchesHoldBackgroundWorkUntilTheWriterIsQuiet() {
        acksFirst.batchWritten(3);
        assertTrue(acksFirst.holding());
        advance(AcksFirst.QUIET.minusMillis(1));
        assertTrue(acksFirst.holding(), "still within the quiet window of the last busy batch");
        advance(Duration.ofMillis(2));
        assertFalse(acksFirst.holding(), "quiet for longer than the window");
    }

    @Test
    void aBusyPeriodHoldsBackAtMostMaxDeferThenWorkSharesTheMachineUntilTheWriterRests() {
        for (int ms = 0; ms < 1990; ms += 10) {
            acksFirst.batchWritten(4);
            assertTrue(acksFirst.holding(), "held at " + ms + " ms");
            advance(Duration.ofMillis(10));
        }
        advance(Duration.ofMillis(10));
        acksFirst.batchWritten(4);
        assertFalse(acksFirst.holding(), "2 s into one busy period: background work goes on");
        for (int i = 0; i < 50; i++) { // the flood goes on: so does the work
            advance(Duration.ofMillis(10));
            acksFirst.batchWritten(4);
            assertFalse(acksFirst.holding());
        }
        advance(Duration.ofMillis(200)); // the writer rests, then a new burst starts a new period
        acksFirst.batchWritten(2);
        assertTrue(acksFirst.holding());
    }

    @Test
    void burstsThatKeepComingHoldWorkBackNoLongerThanTheyLetItRun() {
        long heldTicks = 0;
        long burstTicks = 0;
        for (int cycle = 0; cycle < 30; cycle++) {
            for (int ms = 0; ms < 1000; ms += 10) { // a 1 s burst ...
                acksFirst.batchWritten(3);
                if (cycle >= 10) {
                    burstTicks++;
                    heldTicks += acksFirst.holding() ? 1 : 0;
                }
                advance(Duration.ofMillis(10));
            }
            advance(Duration.ofMillis(100)); // ... then 100 ms of rest, again and again
        }
        double held = (double) heldTicks / burstTicks;
        // work runs in the rests and in the unheld part of each burst: over time about as long as it is held
        assertTrue(held > 0.3 && held < 0.7, "held " + held + " of the bursts");
    }

    @Test
    void offNeverHolds() {
        AcksFirst off = new AcksFirst(Duration.ZERO, now::get);
        off.batchWritten(50);
        assertFalse(off.holding());
        AcksFirst.OFF.batchWritten(50);
        assertFalse(AcksFirst.OFF.holding());
    }

    @Test
    void awaitTurnReturnsOnceTheWriterIsQuiet() throws InterruptedException {
        AcksFirst real = new AcksFirst(Duration.ofSeconds(30), System::nanoTime);
        real.batchWritten(5);
        long start = System.nanoTime();
        real.awaitTurn();
        long waited = System.nanoTime() - start;
        assertTrue(waited >= AcksFirst.QUIET.toNanos() - Duration.ofMillis(15).toNanos(),
                "waited " + waited / 1_000_000 + " ms");
        assertFalse(real.holding());
    }
}
