package dev.clawless.bench;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** Closed-loop load: N clients (virtual threads) send requests back to back for a fixed time. */
final class Load {

    /**
     * One round's figures.
     *
     * @param perSecond answered with 200 per second
     * @param p50       median latency of those, ms
     * @param p99       99th percentile, ms
     * @param errors    requests not answered with 200
     */
    record Result(double perSecond, double p50, double p99, long errors) {
    }

    private Load() {
    }

    /** Runs {@code concurrency} clients for {@code seconds}, each sending what {@code next} makes; prints the first error. */
    static Result run(HttpClient client, int concurrency, int seconds, Supplier<HttpRequest> next)
            throws InterruptedException {
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicLong errors = new AtomicLong();
        AtomicBoolean reported = new AtomicBoolean();
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            workers.add(Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < end) {
                    HttpRequest request = next.get();
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200) {
                            latencies.add(System.nanoTime() - t0);
                        } else {
                            errors.incrementAndGet();
                            if (reported.compareAndSet(false, true)) {
                                System.out.println("  first error: " + r.statusCode() + " " + r.body());
                            }
                        }
                    } catch (IOException e) {
                        errors.incrementAndGet();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }));
        }
        for (Thread t : workers) {
            t.join();
        }
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        return new Result(sorted.size() / (double) seconds, ChatBench.percentile(sorted, 50) / 1e6,
                ChatBench.percentile(sorted, 99) / 1e6, errors.get());
    }
}
