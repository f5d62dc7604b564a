package dev.clawless.core.jobs;

import java.time.Clock;
import java.time.Duration;
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
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.clawless.core.store.Database;
import dev.clawless.core.store.DatabaseConfig;
import dev.clawless.core.store.TestDatabases;
import dev.clawless.core.store.TestDatabases.Engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Many workers on several nodes claiming from many queues at once, on each engine. */
class JobClaimsTest {

    private static final JobConfig CONFIG = new JobConfig(8, Duration.ofSeconds(30), Duration.ofMillis(20), 3,
            Duration.ofSeconds(10), Duration.ofMinutes(5));
    private static final int NODES = 3;
    private static final int QUEUES = 40;
    private static final int PER_QUEUE = 10;
    private static final int UNKEYED = 40;

    private final List<Database> databases = new ArrayList<>();

    @AfterEach
    void close() {
        databases.forEach(Database::close);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void everyJobRunsOnceAndEachQueueInOrderWhateverTheNumberOfWorkers(Engine engine) throws InterruptedException {
        DatabaseConfig config = TestDatabases.config(engine);
        List<JobQueue> nodes = new ArrayList<>();
        for (int n = 0; n < NODES; n++) {
            // each node its own pool, as separate processes would have
            Database database = Database.open(config);
            databases.add(database);
            nodes.add(new JobQueue(database, CONFIG, Clock.systemUTC()));
        }
        int total = QUEUES * PER_QUEUE + UNKEYED;
        CountDownLatch done = new CountDownLatch(total);
        Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
        Map<String, List<Integer>> order = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> byNode = new ConcurrentHashMap<>();
        AtomicInteger overlaps = new AtomicInteger();
        List<JobWorker> workers = new ArrayList<>();
        for (int n = 0; n < NODES; n++) {
            String node = "node-" + n;
            JobHandler handler = job -> {
                runs.computeIfAbsent(job.id(), id -> new AtomicInteger()).incrementAndGet();
                byNode.computeIfAbsent(node, k -> new AtomicInteger()).incrementAndGet();
                Optional<String> key = job.queueKey();
                if (key.isPresent()) {
                    if (running.computeIfAbsent(key.get(), k -> new AtomicInteger()).incrementAndGet() > 1) {
                        overlaps.incrementAndGet();
                    }
                    order.computeIfAbsent(key.get(), k -> Collections.synchronizedList(new ArrayList<>()))
                            .add(Integer.parseInt(job.payload()));
                    Thread.sleep(2); // long enough for another worker to try the next job of this queue meanwhile
                    running.get(key.get()).decrementAndGet();
                }
                done.countDown();
            };
            workers.add(new JobWorker(nodes.get(n), Map.of("turn", handler), node));
        }
        // half the jobs wait before the workers start, the rest is enqueued (from every node) while they run
        enqueue(nodes, 0, PER_QUEUE / 2);
        workers.forEach(JobWorker::start);
        try {
            enqueue(nodes, PER_QUEUE / 2, PER_QUEUE);
            for (int i = 0; i < UNKEYED; i++) {
                nodes.get(i % NODES).enqueue(NewJob.of("turn", "-1"));
            }
            workers.forEach(JobWorker::wake);
            assertTrue(done.await(90, TimeUnit.SECONDS), "all jobs ran: " + (total - done.getCount()) + " of "
                    + total);
        } finally {
            workers.forEach(w -> w.stop(Duration.ofSeconds(10)));
        }

        assertEquals(total, runs.size(), "every job ran");
        assertEquals(List.of(), runs.entrySet().stream().filter(e -> e.getValue().get() != 1)
                .map(Map.Entry::getKey).toList(), "no job ran twice");
        Map<String, List<Integer>> expected = new HashMap<>();
        IntStream.range(0, QUEUES).forEach(q -> expected.put("cnv_" + q, IntStream.range(0, PER_QUEUE).boxed()
                .toList()));
        assertEquals(expected, new HashMap<>(order), "each queue in enqueue order");
        assertEquals(0, overlaps.get(), "never two jobs of one queue at once");
        assertTrue(byNode.size() > 1, "the nodes shared the work: " + byNode);
        assertEquals(total, nodes.get(0).list(Optional.of(JobStatus.DONE), Optional.empty(), total + 10).size());
    }

    @Test
    void failingClaimsWaitLongerEachTimeUpToFiveSeconds() {
        Duration poll = Duration.ofMillis(250);
        assertEquals(Duration.ofMillis(250), JobWorker.claimBackoff(poll, 1));
        assertEquals(Duration.ofMillis(500), JobWorker.claimBackoff(poll, 2));
        assertEquals(Duration.ofSeconds(4), JobWorker.claimBackoff(poll, 5));
        assertEquals(JobWorker.MAX_CLAIM_BACKOFF, JobWorker.claimBackoff(poll, 6));
        assertEquals(JobWorker.MAX_CLAIM_BACKOFF, JobWorker.claimBackoff(poll, 1_000));
    }

    /** Jobs {@code from}..{@code to}−1 of every queue, round robin across queues and nodes. */
    private static void enqueue(List<JobQueue> nodes, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            for (int q = 0; q < QUEUES; q++) {
                nodes.get(n++ % nodes.size()).enqueue(NewJob.of("turn", Integer.toString(i)).inQueue("cnv_" + q));
            }
        }
    }
}
