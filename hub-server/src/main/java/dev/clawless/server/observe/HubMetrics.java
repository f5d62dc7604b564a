package dev.clawless.server.observe;

import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import dev.clawless.core.common.Meters;

/**
 * The node's meters (Micrometer) and their Prometheus exposition at {@code /metrics}: HTTP requests per method, route
 * template and status; what the modules record through {@link Meters} (jobs, platform sends, deliveries, model calls,
 * webhook deliveries); the database pools (Hikari's own meters); the job queue ({@link JobQueueMeters}); the JVM
 * (memory, GC, threads, classes, CPU, uptime). Recording is lock-free; a scrape reads only what is in memory.
 */
public final class HubMetrics implements AutoCloseable {

    /** The latency buckets of HTTP requests, as before Micrometer (5 ms … 10 s). */
    private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};
    /** Methods labelled as themselves; any other is labelled {@code OTHER}, so callers cannot add series. */
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
            "TRACE", "CONNECT");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Meters meters = new Meters(registry);

    public HubMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** What the modules record through. */
    public Meters meters() {
        return meters;
    }

    /** Counts and times one finished request; {@code route} is its template (or {@code unmatched}). */
    public void record(String method, String route, int status, double seconds) {
        String label = METHODS.contains(method) ? method : "OTHER";
        int code = status >= 100 && status <= 599 ? status : 0;
        // the meters of a series are looked up once, not built for every request
        Http meters = http.computeIfAbsent(new HttpKey(label, route, code), k -> new Http(
                Counter.builder("clawless.http.requests").description("HTTP requests served, by method, route and"
                        + " status").tags("method", k.method(), "route", k.route(), "status",
                        Integer.toString(k.status())).register(registry),
                Timer.builder("clawless.http.request.duration").description("HTTP request latency, by method, route"
                        + " and status").tags("method", k.method(), "route", k.route(), "status",
                        Integer.toString(k.status())).serviceLevelObjectives(BUCKETS).register(registry)));
        meters.count().increment();
        meters.latency().record((long) (seconds * 1e9), java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    private record HttpKey(String method, String route, int status) {
    }

    private record Http(Counter count, Timer latency) {
    }

    private final java.util.Map<HttpKey, Http> http = new java.util.concurrent.ConcurrentHashMap<>();

    /** A counter another part of the hub keeps, read at each scrape ({@code name} without {@code _total}). */
    public <T> void counter(String name, String help, T owner, ToDoubleFunction<T> value) {
        FunctionCounter.builder(name, owner, value).description(help).register(registry);
    }

    /** A gauge read at each scrape. */
    public void gauge(String name, String help, Supplier<Number> value) {
        io.micrometer.core.instrument.Gauge.builder(name, value).description(help).register(registry);
    }

    /** Everything, in the Prometheus text exposition format (0.0.4). */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
