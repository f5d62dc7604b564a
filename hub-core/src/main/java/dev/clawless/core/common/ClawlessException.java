package dev.clawless.core.common;

import java.util.List;

/**
 * The hub's one family of errors. Each subtype is one problem {@code type} (RFC 9457) with its HTTP status; the
 * server maps them to {@code application/problem+json} in a single error handler. Messages are safe to show to the
 * caller: they never carry secrets or internals.
 */
public abstract sealed class ClawlessException extends RuntimeException
        permits ClawlessException.Validation, ClawlessException.Unauthorized, ClawlessException.Forbidden,
        ClawlessException.NotFound, ClawlessException.MethodNotAllowed, ClawlessException.Conflict,
        ClawlessException.PayloadTooLarge, ClawlessException.UnsupportedMediaType, ClawlessException.Unprocessable,
        ClawlessException.TooManyRequests, ClawlessException.BadGateway, ClawlessException.Unavailable,
        ClawlessException.Gone {

    private final String type;
    private final String title;
    private final int status;

    private ClawlessException(String type, String title, int status, String detail) {
        super(detail, null, false, false);
        this.type = type;
        this.title = title;
        this.status = status;
    }

    /** Short, stable problem type slug, e.g. {@code validation}; the server turns it into a type URI. */
    public String type() {
        return type;
    }

    /** Human-readable summary of the problem type. */
    public String title() {
        return title;
    }

    /** HTTP status of the problem. */
    public int status() {
        return status;
    }

    /** Explanation specific to this occurrence. */
    public String detail() {
        return getMessage();
    }

    /** A field that failed validation, named by its JSON path ({@code quotas.messages_per_month}). */
    public record FieldError(String field, String message) {
    }

    /** The request is malformed or a field is invalid (400). */
    public static final class Validation extends ClawlessException {
        private final List<FieldError> errors;

        public Validation(String detail, List<FieldError> errors) {
            super("validation", "Invalid request", 400, detail);
            this.errors = List.copyOf(errors);
        }

        public static Validation of(String field, String message) {
            return new Validation(field + ": " + message, List.of(new FieldError(field, message)));
        }

        /** All the field errors of one request; the detail names the field when there is only one. */
        public static Validation of(List<FieldError> errors) {
            return new Validation(errors.size() == 1 ? errors.get(0).field() + ": " + errors.get(0).message()
                    : errors.size() + " fields are invalid", errors);
        }

        public List<FieldError> errors() {
            return errors;
        }
    }

    /** A credential is missing, invalid, expired or revoked (401). */
    public static final class Unauthorized extends ClawlessException {
        public Unauthorized(String detail) {
            super("unauthorized", "Unauthorized", 401, detail);
        }

        /** A 401 of its own type, e.g. {@code totp-required}: the caller must send another credential. */
        public Unauthorized(String type, String detail) {
            super(type, "Unauthorized", 401, detail);
        }
    }

    /** A valid credential may not do this (403). */
    public static final class Forbidden extends ClawlessException {
        public Forbidden(String type, String detail) {
            super(type, "Forbidden", 403, detail);
        }
    }

    /** Nothing of that id exists for the caller (404); another tenant's ids answer this too. */
    public static final class NotFound extends ClawlessException {
        public NotFound(String detail) {
            super("not-found", "Not found", 404, detail);
        }
    }

    /** The route exists but not with this method (405). */
    public static final class MethodNotAllowed extends ClawlessException {
        private final List<String> allowed;

        public MethodNotAllowed(String detail, List<String> allowed) {
            super("method-not-allowed", "Method not allowed", 405, detail);
            this.allowed = List.copyOf(allowed);
        }

        public List<String> allowed() {
            return allowed;
        }
    }

    /** What the request names existed once and is gone for good (410): a used or expired single-use link. */
    public static final class Gone extends ClawlessException {
        public Gone(String detail) {
            super("gone", "Gone", 410, detail);
        }
    }

    /** The request conflicts with the current state (409). */
    public static final class Conflict extends ClawlessException {
        public Conflict(String detail) {
            super("conflict", "Conflict", 409, detail);
        }
    }

    /** The body is larger than the route accepts (413). */
    public static final class PayloadTooLarge extends ClawlessException {
        public PayloadTooLarge(String detail) {
            super("payload-too-large", "Payload too large", 413, detail);
        }
    }

    /** The body is well-formed but its content is refused (422), e.g. a plugin JAR that fails verification. */
    public static final class Unprocessable extends ClawlessException {
        public Unprocessable(String type, String detail) {
            super(type, "Unprocessable content", 422, detail);
        }
    }

    /** The body's media type is not one the route accepts (415). */
    public static final class UnsupportedMediaType extends ClawlessException {
        public UnsupportedMediaType(String detail) {
            super("unsupported-media-type", "Unsupported media type", 415, detail);
        }
    }

    /** A quota or rate limit is exhausted (429). */
    public static final class TooManyRequests extends ClawlessException {
        private final long retryAfterSeconds;

        public TooManyRequests(String type, String detail, long retryAfterSeconds) {
            super(type, "Too many requests", 429, detail);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    /** An upstream service the hub relied on (an LLM provider) failed (502); the detail names it, never a secret. */
    public static final class BadGateway extends ClawlessException {
        public BadGateway(String type, String detail) {
            super(type, "Bad gateway", 502, detail);
        }
    }

    /** A dependency the request needs is down (503). */
    public static final class Unavailable extends ClawlessException {
        public Unavailable(String detail) {
            super("unavailable", "Service unavailable", 503, detail);
        }
    }
}
