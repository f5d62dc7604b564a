package dev.clawless.server.observe;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Request count and latency histogram per method, route template and status, exposed in the Prometheus text format
 * (version 0.0.4). Routes are templates, never raw paths, so label cardinality stays bounded. Thread-safe and
 * lock-free on the request path.
 */
public final class HttpMetrics {

    static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final Map<Key, Series> series = new ConcurrentHashMap<>();
    private final long startMillis = System.currentTimeMillis();

    private record Key(String method, String route, int status) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = route.compareTo(o.route);
            if (c != 0) {
                return c;
            }
            c = method.compareTo(o.method);
            return c != 0 ? c : Integer.compare(status, o.status);
        }

        String labels() {
            return "method=\"" + escape(method) + "\",route=\"" + escape(route) + "\",status=\"" + status + "\"";
        }
    }

    private static final class Series {
        final LongAdder count = new LongAdder();
        final DoubleAdder sum = new DoubleAdder();
        final LongAdder[] buckets = new LongAdder[BUCKETS.length];

        Series() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }
    }

    /** Methods labelled as themselves; any other is labelled {@code OTHER}, so callers cannot add series. */
    private static final java.util.Set<String> METHODS = java.util.Set.of("GET", "HEAD", "POST", "PUT", "PATCH",
            "DELETE", "OPTIONS", "TRACE", "CONNECT");

    /** Counts one finished request. */
    public void record(String method, String route, int status, double seconds) {
        String label = METHODS.contains(method) ? method : "OTHER";
        int code = status >= 100 && status <= 599 ? status : 0;
        Series s = series.computeIfAbsent(new Key(label, route, code), k -> new Series());
        s.count.increment();
        s.sum.add(seconds);
        for (int i = 0; i < BUCKETS.length; i++) {
            if (seconds <= BUCKETS[i]) {
                s.buckets[i].increment();
                break;
            }
        }
    }

    /** A counter another part of the hub keeps, read at each scrape. */
    private record Counter(String name, String help, java.util.function.LongSupplier value) {
    }

    private final java.util.List<Counter> counters = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Adds a counter (a name ending in {@code _total}) whose current value {@code value} answers at each scrape. */
    public void counter(String name, String help, java.util.function.LongSupplier value) {
        counters.add(new Counter(name, help, value));
    }

    /** Everything, in the Prometheus text exposition format. */
    public String scrape() {
        StringBuilder out = new StringBuilder(4096);
        Map<Key, Series> sorted = new TreeMap<>(series);
        out.append("# HELP clawless_http_requests_total HTTP requests served, by method, route and status.\n");
        out.append("# TYPE clawless_http_requests_total counter\n");
        sorted.forEach((k, s) -> out.append("clawless_http_requests_total{").append(k.labels()).append("} ")
                .append(s.count.sum()).append('\n'));
        out.append("# HELP clawless_http_request_duration_seconds HTTP request latency, by method, route and status.\n");
        out.append("# TYPE clawless_http_request_duration_seconds histogram\n");
        sorted.forEach((k, s) -> {
            long cumulative = 0;
            for (int i = 0; i < BUCKETS.length; i++) {
                cumulative += s.buckets[i].sum();
                out.append("clawless_http_request_duration_seconds_bucket{").append(k.labels()).append(",le=\"")
                        .append(number(BUCKETS[i])).append("\"} ").append(cumulative).append('\n');
            }
            long count = s.count.sum();
            out.append("clawless_http_request_duration_seconds_bucket{").append(k.labels()).append(",le=\"+Inf\"} ")
                    .append(count).append('\n');
            out.append("clawless_http_request_duration_seconds_sum{").append(k.labels()).append("} ")
                    .append(number(s.sum.sum())).append('\n');
            out.append("clawless_http_request_duration_seconds_count{").append(k.labels()).append("} ")
                    .append(count).append('\n');
        });
        for (Counter c : counters) {
            out.append("# HELP ").append(c.name()).append(' ').append(c.help()).append('\n');
            out.append("# TYPE ").append(c.name()).append(" counter\n");
            out.append(c.name()).append(' ').append(c.value().getAsLong()).append('\n');
        }
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        gauge(out, "jvm_memory_used_bytes", "JVM heap memory in use.", "area=\"heap\"",
                memory.getHeapMemoryUsage().getUsed());
        gauge(out, "jvm_threads_live", "Live JVM platform threads.", "", ManagementFactory.getThreadMXBean()
                .getThreadCount());
        gauge(out, "process_uptime_seconds", "Seconds since the hub started.", "",
                (System.currentTimeMillis() - startMillis) / 1000.0);
        return out.toString();
    }

    private static void gauge(StringBuilder out, String name, String help, String labels, double value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" gauge\n");
        out.append(name).append(labels.isEmpty() ? "" : "{" + labels + "}").append(' ').append(number(value))
                .append('\n');
    }

    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%s", v);
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
