package dev.clawless.server.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.security.Secrets;
import dev.clawless.core.tenant.TenantManagement;
import dev.clawless.core.tenant.TenantPrincipal;
import dev.clawless.core.usage.UsageMeter;
import dev.clawless.server.observe.HubMetrics;

/**
 * The one filter every request passes: assigns the request id, authenticates {@code /v1} (tenant API key) and
 * {@code /admin} (admin token) requests once, applies the tenant's requests-per-minute, turns any error into problem+json, and records metrics and one
 * access-log line. Never logs a header, body, query string or credential.
 */
public final class RequestFilter implements Filter {

    /** Logger of the access log: one JSON line per request. */
    public static final String ACCESS_LOGGER = "clawless.access";

    /** The request id header, echoed when the caller sent a sane one, generated otherwise. */
    public static final HeaderName REQUEST_ID = HeaderNames.create("X-Request-Id");

    private static final Logger ACCESS = Logger.getLogger(ACCESS_LOGGER);
    static final Pattern CALLER_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final TenantManagement tenants;
    private final UsageMeter usage;
    private final String adminToken;
    private final HubMetrics metrics;
    private final Routes routes;
    private final boolean accessLog;
    private final long keyRequestsPerMinute;
    private volatile PersonAuth people;
    private volatile long accountRequestsPerMinute;
    private volatile ClientAddress clients = ClientAddress.direct();

    public RequestFilter(TenantManagement tenants, UsageMeter usage, String adminToken, HubMetrics metrics,
                         Routes routes, boolean accessLog, long keyRequestsPerMinute) {
        this.keyRequestsPerMinute = keyRequestsPerMinute;
        this.tenants = tenants;
        this.usage = usage;
        this.adminToken = adminToken;
        this.metrics = metrics;
        this.routes = routes;
        this.accessLog = accessLog;
    }

    /**
     * Lets people sign in with browser sessions on the same routes; set once while wiring.
     *
     * @param accountRequests POSTs to {@code /v1/auth/*} (each may hash a password) one address may make a minute
     */
    public void people(PersonAuth personAuth, long accountRequests) {
        this.people = personAuth;
        this.accountRequestsPerMinute = accountRequests;
    }

    private io.opentelemetry.api.trace.Tracer tracer = io.opentelemetry.api.OpenTelemetry.noop().getTracer("clawless");
    private boolean tracing;

    /** Makes each request a server span (continuing a W3C {@code traceparent} it carries); set once while wiring. */
    public void tracing(io.opentelemetry.api.trace.Tracer tracer) {
        this.tracer = tracer;
        this.tracing = true;
    }

    private static final io.opentelemetry.context.propagation.TextMapGetter<RoutingRequest> HEADERS =
            new io.opentelemetry.context.propagation.TextMapGetter<>() {
                @Override
                public Iterable<String> keys(RoutingRequest carrier) {
                    return carrier.headers().stream().map(h -> h.name()).toList();
                }

                @Override
                public String get(RoutingRequest carrier, String key) {
                    return carrier == null ? null : carrier.headers().first(io.helidon.http.HeaderNames.create(key))
                            .orElse(null);
                }
            };

    /** Believes {@code X-Forwarded-For} from these proxies; set once while wiring. */
    public void clients(ClientAddress addresses) {
        this.clients = addresses;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long start = System.nanoTime();
        String requestId = req.headers().first(REQUEST_ID)
                .filter(id -> CALLER_REQUEST_ID.matcher(id).matches())
                .orElseGet(() -> "req_" + Secrets.randomBase62(20));
        RequestState state = new RequestState(requestId, start);
        routes.template(req.path().path()).ifPresent(state::route);
        req.context().register(state);
        state.clientAddress(clients.of(req));
        res.header(REQUEST_ID, requestId);
        io.opentelemetry.api.trace.Span span = io.opentelemetry.api.trace.Span.getInvalid();
        io.opentelemetry.context.Scope scope = io.opentelemetry.context.Scope.noop();
        if (tracing) {
            io.opentelemetry.context.Context parent = io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator
                    .getInstance().extract(io.opentelemetry.context.Context.root(), req, HEADERS);
            span = tracer.spanBuilder(req.prologue().method().text() + " " + state.route()).setParent(parent)
                    .setSpanKind(io.opentelemetry.api.trace.SpanKind.SERVER)
                    .setAttribute("http.request.method", req.prologue().method().text())
                    .setAttribute("http.route", state.route()).setAttribute("clawless.request_id", requestId)
                    .startSpan();
            scope = span.makeCurrent();
        }
        try {
            String path = req.path().path();
            if (path.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                // a decoded NUL, CR, LF or escape names nothing here, and must reach no log, query or file name
                throw ClawlessException.Validation.of("path", "contains control characters");
            }
            authenticate(path, req, state, true);
            state.recheck(() -> reauthenticate(path, req, requestId));
            chain.proceed();
        } catch (RuntimeException | Error e) {
            Problems.send(req, res, e);
        } finally {
            // first: nothing below may leave this request's span current on the connection's thread
            scope.close();
            int status = res.status().code();
            double seconds = (System.nanoTime() - start) / 1e9;
            String method = req.prologue().method().text();
            metrics.record(method, state.route(), status, seconds);
            if (accessLog) {
                log(state, method, status, seconds);
            }
            if (tracing) {
                span.setAttribute("http.response.status_code", status);
                if (status >= 500) {
                    span.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR);
                }
                span.end();
            }
        }
    }

    /** The request's credential authenticated again, as now, without spending rate limit; empty when it fails. */
    private Optional<TenantPrincipal> reauthenticate(String path, RoutingRequest req, String requestId) {
        RequestState fresh = new RequestState(requestId, System.nanoTime());
        try {
            authenticate(path, req, fresh, false);
            return fresh.principal();
        } catch (ClawlessException e) {
            return Optional.empty();
        }
    }

    /**
     * @param counts a request being served (false: a stream re-checking its caller): it spends rate limit and is a
     *               use of the session
     */
    private void authenticate(String path, RoutingRequest req, RequestState state, boolean counts) {
        boolean tenantRoute = path.equals("/v1") || path.startsWith("/v1/");
        boolean adminRoute = path.equals("/admin") || path.startsWith("/admin/");
        if (!tenantRoute && !adminRoute) {
            return;
        }
        PersonAuth personAuth = people;
        boolean accountRoute = path.startsWith("/v1/auth/");
        boolean meRoute = path.equals("/v1/me") || path.startsWith("/v1/me/");
        if (accountRoute) {
            // signing in, invitations, resets: no credential needed; a session, when there is one, is the caller's.
            // Each of these may hash a password: an address gets a bounded number a minute.
            // signing out hashes nothing and must always work
            if (counts && req.prologue().method() != io.helidon.http.Method.GET && !path.equals("/v1/auth/logout")) {
                usage.rateLimit("account-routes:" + state.clientAddress(), "address's sign-in and account requests",
                        accountRequestsPerMinute);
            }
            if (personAuth != null) {
                personAuth.session(req).ifPresent(state::person);
            }
            return;
        }
        Optional<String> bearer = bearer(req);
        if (bearer.isEmpty() && personAuth != null) {
            personAuth.authenticate(req, state, tenantRoute && !meRoute, adminRoute, counts);
            if (counts) {
                state.principal().ifPresent(p -> usage.rateLimit("person:" + p.keyId(), "person",
                        keyRequestsPerMinute));
            }
            return;
        }
        if (meRoute) {
            throw new ClawlessException.Unauthorized("these routes are a signed-in person's: sign in at"
                    + " POST /v1/auth/login");
        }
        String token = bearer.orElseThrow(() -> new ClawlessException.Unauthorized(
                "send the " + (adminRoute ? "admin token" : "API key") + " as Authorization: Bearer <token>"));
        if (adminRoute) {
            if (!Secrets.constantTimeEquals(adminToken, token)) {
                throw new ClawlessException.Unauthorized("the admin token is not valid");
            }
            state.admin(true);
        } else {
            TenantPrincipal principal = tenants.authenticate(token);
            state.principal(principal);
            if (counts) {
                usage.rateLimit("key:" + principal.keyId(), "API key", keyRequestsPerMinute);
                usage.rateLimit("tenant:" + principal.tenantId(), "tenant",
                        tenants.effectiveQuotas(principal.tenant()).requestsPerMinute());
            }
        }
    }

    private static Optional<String> bearer(RoutingRequest req) {
        return req.headers().first(HeaderNames.AUTHORIZATION)
                .map(String::strip)
                .filter(h -> h.length() > 7 && h.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(h -> h.substring(7).strip())
                .filter(t -> !t.isEmpty());
    }

    private static void log(RequestState state, String method, int status, double seconds) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("request_id", state.requestId());
        fields.put("tenant_id", state.principal().map(TenantPrincipal::tenantId).orElse(null));
        fields.put("admin", state.admin());
        fields.put("method", method);
        fields.put("route", state.route());
        fields.put("status", status);
        fields.put("duration_ms", Math.round(seconds * 1e6) / 1e3);
        LogRecord record = new LogRecord(status >= 500 ? Level.WARNING : Level.INFO, "request");
        record.setLoggerName(ACCESS_LOGGER);
        record.setParameters(new Object[] {fields});
        ACCESS.log(record);
    }
}
