package dev.clawless.core.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.clawless.core.store.Database;
import dev.clawless.core.store.TestClock;
import dev.clawless.core.store.TestDatabases;
import dev.clawless.core.store.TestDatabases.Engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The job queue and its worker against a real database, on each engine. */
class JobQueueTest {

    private static final JobConfig FAST = new JobConfig(8, Duration.ofSeconds(30), Duration.ofMillis(20), 3,
            Duration.ofSeconds(10), Duration.ofMinutes(5));

    private final TestClock clock = new TestClock(Instant.parse("2026-11-01T10:00:00Z"));
    private Database database;

    @AfterEach
    void close() {
        if (database != null) {
            database.close();
        }
    }

    private JobQueue queue(Engine engine, java.time.Clock c, JobConfig config) {
        database = Database.open(TestDatabases.config(engine));
        return new JobQueue(database, config, c);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aClaimedJobIsNotClaimedAgainUntilItsLeaseEnds(Engine engine) {
        JobQueue q = queue(engine, clock, FAST);
        long id = q.enqueue(NewJob.of("k", "{}"));
        List<Job> first = q.claim("w1", 10);
        assertEquals(List.of(id), first.stream().map(Job::id).toList());
        assertEquals(JobStatus.RUNNING, first.get(0).status());
        assertEquals(1, first.get(0).attempts());
        assertTrue(q.claim("w2", 10).isEmpty(), "leased");
        clock.advance(FAST.lease().plusSeconds(1));
        List<Job> again = q.claim("w2", 10);
        assertEquals(1, again.size(), "a dead worker's job is taken over after the lease");
        assertEquals(2, again.get(0).attempts());
        assertFalse(q.complete(first.get(0)), "the first worker's lease is fenced off");
        assertTrue(q.complete(again.get(0)));
        assertEquals(JobStatus.DONE, q.get(id).orElseThrow().status());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void failedAttemptsBackOffAndTheLastOneDeadLettersWithItsError(Engine engine) {
        JobQueue q = queue(engine, clock, FAST);
        long id = q.enqueue(NewJob.of("k", "{}"));
        for (int attempt = 1; attempt <= 3; attempt++) {
            List<Job> claimed = q.claim("w", 1);
            assertEquals(1, claimed.size(), "attempt " + attempt);
            JobStatus next = q.fail(claimed.get(0), "boom " + attempt);
            assertEquals(attempt < 3 ? JobStatus.QUEUED : JobStatus.DEAD, next);
            if (attempt < 3) {
                assertTrue(q.claim("w", 1).isEmpty(), "not before its backoff");
                Job waiting = q.get(id).orElseThrow();
                long delay = Duration.between(clock.instant(), waiting.runAt()).toMillis();
                long cap = FAST.backoffBase().toMillis() << (attempt - 1);
                assertTrue(delay >= cap / 2 && delay <= cap, "backoff " + delay + " within [" + cap / 2 + ", " + cap + "]");
                clock.advance(Duration.ofMillis(delay));
            }
        }
        Job dead = q.get(id).orElseThrow();
        assertEquals(JobStatus.DEAD, dead.status());
        assertEquals(Optional.of("boom 3"), dead.lastError());
        assertTrue(q.claim("w", 1).isEmpty());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void retryLaterWaitsAsLongAsAskedWithoutAThreadWaiting(Engine engine) {
        JobQueue q = queue(engine, clock, FAST);
        long id = q.enqueue(NewJob.of("k", "{}"));
        q.retryLater(q.claim("w", 1).get(0), Duration.ofHours(3), "429 Retry-After: 10800");
        clock.advance(Duration.ofHours(3).minusSeconds(1));
        assertTrue(q.claim("w", 1).isEmpty());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(id, q.claim("w", 1).get(0).id());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void jobsOfOneQueueKeyRunOneAtATimeInOrderAndOtherKeysDoNotWait(Engine engine) {
        JobQueue q = queue(engine, clock, FAST);
        long a1 = q.enqueue(NewJob.of("turn", "a1").inQueue("cnv_a"));
        long a2 = q.enqueue(NewJob.of("turn", "a2").inQueue("cnv_a"));
        long b1 = q.enqueue(NewJob.of("turn", "b1").inQueue("cnv_b"));
        long free = q.enqueue(NewJob.of("other", "x"));
        List<Long> claimed = q.claim("w", 10).stream().map(Job::id).toList();
        assertEquals(List.of(a1, b1, free), claimed, "a2 waits for a1");
        Job a1Job = q.get(a1).orElseThrow();
        q.fail(a1Job, "retry me");
        assertTrue(q.claim("w", 10).isEmpty(), "a2 still waits while a1 backs off");
        clock.advance(FAST.backoffBase());
        Job retried = q.claim("w", 10).get(0);
        assertEquals(a1, retried.id());
        q.complete(retried);
        assertEquals(List.of(a2), q.claim("w", 10).stream().map(Job::id).toList());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void theSameIdempotencyKeyEnqueuesOneJob(Engine engine) {
        JobQueue q = queue(engine, clock, FAST);
        long first = q.enqueue(NewJob.of("deliver", "{}").once("msg_1"));
        long second = q.enqueue(NewJob.of("deliver", "{}").once("msg_1"));
        assertEquals(first, second);
        assertEquals(1, q.list(Optional.empty(), Optional.of("deliver"), 10).size());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void theWorkerRunsABurstInOrderPerKeyAndInParallelAcrossKeys(Engine engine) throws InterruptedException {
        JobQueue q = queue(engine, java.time.Clock.systemUTC(), FAST);
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger maxParallel = new AtomicInteger();
        AtomicInteger parallel = new AtomicInteger();
        int perKey = 6;
        List<String> keys = List.of("cnv_a", "cnv_b", "cnv_c", "cnv_d");
        CountDownLatch done = new CountDownLatch(perKey * keys.size());
        JobHandler handler = job -> {
            String key = job.queueKey().orElseThrow();
            if (running.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            maxParallel.accumulateAndGet(parallel.incrementAndGet(), Math::max);
            Thread.sleep(15);
            seen.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>()))
                    .add(Integer.parseInt(job.payload()));
            parallel.decrementAndGet();
            running.get(key).decrementAndGet();
            done.countDown();
        };
        for (int i = 0; i < perKey; i++) {
            for (String key : keys) {
                q.enqueue(NewJob.of("turn", Integer.toString(i)).inQueue(key));
            }
        }
        try (JobWorker worker = new JobWorker(q, Map.of("turn", handler), "test")) {
            worker.start();
            assertTrue(done.await(30, TimeUnit.SECONDS), "all jobs ran");
        }
        Map<String, List<Integer>> expected = new HashMap<>();
        keys.forEach(k -> expected.put(k, List.of(0, 1, 2, 3, 4, 5)));
        assertEquals(expected, new HashMap<>(seen), "each key in enqueue order");
        assertEquals(0, overlaps.get(), "never two jobs of one key at once");
        assertTrue(maxParallel.get() > 1, "different keys ran in parallel");
        assertEquals(perKey * keys.size(), q.list(Optional.of(JobStatus.DONE), Optional.empty(), 100).size());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aJobWhoseHandlerThrowsIsRetriedByTheWorkerAndThenSucceeds(Engine engine) throws InterruptedException {
        JobConfig quickRetry = new JobConfig(4, Duration.ofSeconds(30), Duration.ofMillis(20), 3,
                Duration.ofMillis(50), Duration.ofMillis(100));
        JobQueue q = queue(engine, java.time.Clock.systemUTC(), quickRetry);
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch succeeded = new CountDownLatch(1);
        long id = q.enqueue(NewJob.of("flaky", "{}"));
        try (JobWorker worker = new JobWorker(q, Map.of("flaky", job -> {
            if (calls.incrementAndGet() < 3) {
                throw new IllegalStateException("upstream 503");
            }
            succeeded.countDown();
        }), "test")) {
            worker.start();
            assertTrue(succeeded.await(20, TimeUnit.SECONDS));
        }
        Job job = q.get(id).orElseThrow();
        assertEquals(JobStatus.DONE, job.status());
        assertEquals(3, job.attempts());
        assertEquals(Optional.of("IllegalStateException: upstream 503"), job.lastError());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void theWorkerClaimsNothingWhileItsGateHoldsAndRunsTheJobOnceItOpens(Engine engine) throws InterruptedException {
        JobQueue q = queue(engine, java.time.Clock.systemUTC(), FAST);
        java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean();
        CountDownLatch ran = new CountDownLatch(1);
        long id = q.enqueue(NewJob.of("k", "{}"));
        try (JobWorker worker = new JobWorker(q, Map.of("k", job -> ran.countDown()), "test")) {
            worker.gate(() -> {
                while (!open.get()) {
                    Thread.sleep(5);
                }
            });
            worker.start();
            assertFalse(ran.await(300, TimeUnit.MILLISECONDS), "held at the gate");
            assertEquals(JobStatus.QUEUED, q.get(id).orElseThrow().status(), "not even claimed");
            open.set(true);
            assertTrue(ran.await(20, TimeUnit.SECONDS));
        }
    }
}
