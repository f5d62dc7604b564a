package dev.clawless.core.marketplace.sandbox;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

import dev.clawless.plugin.api.ChannelException;

/**
 * An exception carried across the sandbox's pipe: the kind the hub acts on (a channel's refusals and send failures
 * keep their meaning, so a sandboxed channel answers webhooks exactly as an in-process one), and a one-line message.
 *
 * @param type       unverified, malformed, send_failed, throttled, security, io, illegal_argument, unsupported,
 *                   or error
 * @param message    one line, at most 1,000 characters
 * @param status     a send failure's platform status
 * @param retryable  whether a send failure may be retried
 * @param waitMillis a send failure's retry-after or a throttle's wait
 * @param code       a send failure's platform code
 */
public record Fault(String type, String message, Integer status, Boolean retryable, Long waitMillis, String code) {

    /** The fault a throwable becomes on the wire. */
    public static Fault of(Throwable t) {
        String message = oneLine(t);
        if (t instanceof ChannelException.Unverified) {
            return new Fault("unverified", message, null, null, null, null);
        }
        if (t instanceof ChannelException.Malformed) {
            return new Fault("malformed", message, null, null, null, null);
        }
        if (t instanceof ChannelException.SendFailed f) {
            return new Fault("send_failed", message, f.status(), f.retryable(),
                    f.retryAfter().map(Duration::toMillis).orElse(null), f.platformCode().orElse(null));
        }
        if (t instanceof ChannelException.Throttled f) {
            return new Fault("throttled", message, null, null, f.waitFor().toMillis(), null);
        }
        if (t instanceof SecurityException) {
            return new Fault("security", message, null, null, null, null);
        }
        if (t instanceof IOException) {
            return new Fault("io", message, null, null, null, null);
        }
        if (t instanceof IllegalArgumentException) {
            return new Fault("illegal_argument", message, null, null, null, null);
        }
        if (t instanceof UnsupportedOperationException) {
            return new Fault("unsupported", message, null, null, null, null);
        }
        return new Fault("error", t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + message),
                null, null, null, null);
    }

    /**
     * The exception this fault stands for, as an unchecked one (an I/O fault as {@link SandboxFailure}). What the
     * other side sent is held to sane values: a status of 0–599, a wait of at most an hour, a message of 1,000
     * characters.
     */
    public RuntimeException toException() {
        String m = message == null ? String.valueOf(type) : message.replaceAll("\\p{Cntrl}", " ");
        m = m.length() > 1000 ? m.substring(0, 1000) + "…" : m;
        Integer status = this.status == null ? null : Math.max(0, Math.min(599, this.status));
        Long waitMillis = this.waitMillis == null ? null : Math.max(0, Math.min(3_600_000L, this.waitMillis));
        String code = this.code == null ? null : this.code.substring(0, Math.min(100, this.code.length()));
        if (type == null) {
            return new SandboxFailure(m);
        }
        return switch (type) {
            case "unverified" -> new ChannelException.Unverified(m);
            case "malformed" -> new ChannelException.Malformed(m, null);
            case "send_failed" -> new ChannelException.SendFailed(m, status == null ? 0 : status,
                    Boolean.TRUE.equals(retryable), Optional.ofNullable(waitMillis).map(Duration::ofMillis),
                    Optional.ofNullable(code), null);
            case "throttled" -> new ChannelException.Throttled(m, Duration.ofMillis(waitMillis == null ? 1000
                    : Math.max(0, waitMillis)));
            case "security" -> new SecurityException(m);
            case "illegal_argument" -> new IllegalArgumentException(m);
            case "unsupported" -> new UnsupportedOperationException(m);
            default -> new SandboxFailure(m);
        };
    }

    private static String oneLine(Throwable t) {
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        m = m.replaceAll("\\p{Cntrl}", " ");
        return m.length() > 1000 ? m.substring(0, 1000) + "…" : m;
    }
}
