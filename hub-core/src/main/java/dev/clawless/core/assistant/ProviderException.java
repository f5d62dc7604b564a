package dev.clawless.core.assistant;

import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A provider failed to answer (unreachable, timed out, refused). The message names the provider, never a secret.
 * When the provider answered with an HTTP error, {@link #upstreamStatus()} is its status and
 * {@link #retryAfterSeconds()} its {@code Retry-After} header, if it sent one in seconds.
 */
public final class ProviderException extends RuntimeException {

    private final String provider;
    private final int upstreamStatus;
    private final long retryAfterSeconds;

    public ProviderException(String provider, String message, Throwable cause) {
        this(provider, message, cause, OptionalInt.empty(), OptionalLong.empty());
    }

    public ProviderException(String provider, String message, Throwable cause, OptionalInt upstreamStatus,
                             OptionalLong retryAfterSeconds) {
        super(message, cause);
        this.provider = provider;
        this.upstreamStatus = upstreamStatus.orElse(0);
        this.retryAfterSeconds = retryAfterSeconds.orElse(-1);
    }

    public String provider() {
        return provider;
    }

    /** The provider's HTTP status, when it answered with one (timeouts and unreachable providers have none). */
    public OptionalInt upstreamStatus() {
        return upstreamStatus == 0 ? OptionalInt.empty() : OptionalInt.of(upstreamStatus);
    }

    /** The provider's {@code Retry-After}, in seconds, when it sent one. */
    public OptionalLong retryAfterSeconds() {
        return retryAfterSeconds < 0 ? OptionalLong.empty() : OptionalLong.of(retryAfterSeconds);
    }
}
