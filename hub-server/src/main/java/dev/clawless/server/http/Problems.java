package dev.clawless.server.http;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.security.Secrets;
import dev.clawless.core.store.Database;

/**
 * The one place errors become RFC 9457 {@code application/problem+json}. A {@link ClawlessException} shows its own
 * type, status and detail; an unreachable database is a 503 with {@code Retry-After} (the request may be sent again
 * unchanged); anything else is a 500 whose body names only the request id, while the stack trace goes to the log.
 */
public final class Problems {

    /** Problem type URIs are {@code urn:clawless:problem:<slug>}; docs/api.md lists the slugs. */
    public static final String TYPE_PREFIX = "urn:clawless:problem:";
    public static final String MEDIA_TYPE = "application/problem+json";

    private static final Logger LOG = Logger.getLogger(Problems.class.getName());

    /** What a request refused while the database is unreachable is told to wait. */
    static final long DATABASE_RETRY_AFTER_SECONDS = 5;
    /** When an outage was last logged: once a minute, not once a request. */
    private static final AtomicLong DATABASE_DOWN_LOGGED = new AtomicLong(Long.MIN_VALUE);

    private Problems() {
    }

    private static void databaseDown(Throwable error) {
        long now = System.nanoTime();
        long last = DATABASE_DOWN_LOGGED.get();
        if ((last == Long.MIN_VALUE || now - last > TimeUnit.MINUTES.toNanos(1))
                && DATABASE_DOWN_LOGGED.compareAndSet(last, now)) {
            LOG.log(Level.SEVERE, "the database cannot be reached; requests that need it are answered 503 until it"
                    + " is back (logged once a minute)", error);
        }
    }

    /** Writes the problem for {@code error} unless a response was already sent. */
    public static void send(ServerRequest req, ServerResponse res, Throwable error) {
        if (res.isSent()) {
            LOG.log(Level.WARNING, "error after the response was sent", error);
            return;
        }
        String requestId = req.context().get(RequestState.class).map(RequestState::requestId).orElse("");
        if (!requestId.isEmpty()) {
            // set again: Helidon clears the response headers when a handler throws
            res.header(RequestFilter.REQUEST_ID, requestId);
        }
        ObjectNode body;
        Status status;
        if (error instanceof ClawlessException e) {
            status = Status.create(e.status());
            body = problem(e.type(), e.title(), e.status(), e.detail(), requestId);
            if (e instanceof ClawlessException.Validation v && !v.errors().isEmpty()) {
                ArrayNode errors = body.putArray("errors");
                v.errors().forEach(f -> errors.addObject().put("field", f.field()).put("message", f.message()));
            }
            if (e instanceof ClawlessException.MethodNotAllowed m) {
                res.header(HeaderNames.ALLOW, String.join(", ", m.allowed()));
            }
            if (e instanceof ClawlessException.TooManyRequests t) {
                res.header(HeaderNames.RETRY_AFTER, Long.toString(t.retryAfterSeconds()));
            }
            if (e instanceof ClawlessException.Unauthorized) {
                res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
            }
        } else if (Database.isUnavailable(error)) {
            databaseDown(error);
            status = Status.SERVICE_UNAVAILABLE_503;
            body = problem("unavailable", "Service unavailable", 503, "the hub's database cannot be reached; try again"
                    + " in a few seconds", requestId);
            res.header(HeaderNames.RETRY_AFTER, Long.toString(DATABASE_RETRY_AFTER_SECONDS));
        } else {
            LOG.log(Level.SEVERE, "unhandled error serving request " + requestId, error);
            status = Status.INTERNAL_SERVER_ERROR_500;
            body = problem("internal", "Internal server error", 500,
                    "the hub failed to serve this request; quote request id " + requestId + " to the operator",
                    requestId);
        }
        res.status(status);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        byte[] bytes;
        if (isOpenAiRoute(req.path().path())) {
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            bytes = openAi(body).toString().getBytes(StandardCharsets.UTF_8);
        } else {
            res.header(HeaderNames.CONTENT_TYPE, MEDIA_TYPE);
            bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        }
        if (req.prologue().method() == io.helidon.http.Method.HEAD) {
            // the same status and headers, no body (RFC 9110, 9.3.2)
            res.header(HeaderNames.CONTENT_LENGTH, Integer.toString(bytes.length));
            res.send();
            return;
        }
        res.send(bytes);
    }

    /**
     * The routes OpenAI client libraries call: their errors keep OpenAI's shape, since those clients read only
     * {@code error.message} (the Node client prints "(no body)" for anything else).
     */
    public static boolean isOpenAiRoute(String path) {
        return path.equals("/v1/chat/completions") || path.equals("/v1/models") || path.startsWith("/v1/models/")
                || path.equals("/v1/embeddings");
    }

    /**
     * A problem in OpenAI's error shape: {@code {"error": {message, type, param, code}}} — {@code type} as OpenAI
     * names its classes ({@code invalid_request_error} for 4xx, {@code authentication_error} for 401,
     * {@code permission_error} for 403, {@code not_found_error} for 404, {@code rate_limit_error} for 429,
     * {@code api_error} for 5xx), {@code code} the problem's own slug, {@code param} the first field at fault.
     */
    static ObjectNode openAi(ObjectNode problem) {
        int status = problem.path("status").asInt(500);
        String type = switch (status) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 429 -> "rate_limit_error";
            default -> status >= 500 ? "api_error" : "invalid_request_error";
        };
        ObjectNode body = Json.object();
        ObjectNode error = body.putObject("error");
        error.put("message", problem.path("detail").asText(problem.path("title").asText("")));
        error.put("type", type);
        JsonNode errors = problem.get("errors");
        if (errors != null && errors.isArray() && !errors.isEmpty()) {
            error.put("param", errors.get(0).path("field").asText());
        } else {
            error.putNull("param");
        }
        error.put("code", problem.path("type").asText().replace(TYPE_PREFIX, ""));
        if (problem.has("request_id")) {
            error.put("request_id", problem.get("request_id").asText());
        }
        return body;
    }

    static ObjectNode problem(String type, String title, int status, String detail, String requestId) {
        ObjectNode body = Json.object();
        body.put("type", TYPE_PREFIX + type);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        if (!requestId.isEmpty()) {
            body.put("request_id", requestId);
        }
        return body;
    }

    /**
     * Answers protocol-level failures that happen before routing (malformed request lines and headers, bodies over
     * the server's payload limit) in the same problem format.
     */
    public static DirectHandler directHandler() {
        return new DirectHandler() {
            @Override
            public TransportResponse handle(TransportRequest request, EventType eventType, Status status,
                                            ServerResponseHeaders headers, String message) {
                int code = status.code();
                String type = switch (code) {
                    case 413 -> "payload-too-large";
                    case 400 -> "bad-request";
                    case 403 -> "forbidden";
                    default -> code >= 500 ? "internal" : "bad-request";
                };
                String detail = switch (code) {
                    case 413 -> "the request body is larger than the hub accepts";
                    case 400 -> "the HTTP request is malformed";
                    default -> code >= 500 ? "the hub failed to serve this request" : "the request was refused";
                };
                String requestId = request.headers().first(RequestFilter.REQUEST_ID)
                        .filter(id -> RequestFilter.CALLER_REQUEST_ID.matcher(id).matches())
                        .orElseGet(() -> "req_" + Secrets.randomBase62(20));
                ObjectNode body = problem(type, status.reasonPhrase(), code, detail, requestId);
                boolean openAi = isOpenAiRoute(request.path().split("\\?", 2)[0]);
                return TransportResponse.builder()
                        .status(status)
                        .headers(headers)
                        .header(RequestFilter.REQUEST_ID, requestId)
                        .header(HeaderNames.CONTENT_TYPE, openAi ? "application/json" : MEDIA_TYPE)
                        .entity((openAi ? openAi(body) : body).toString())
                        .keepAlive(false)
                        .build();
            }
        };
    }
}
