package dev.clawless.core.assistant;

/** A provider failed to answer (unreachable, timed out, refused). The message names the provider, never a secret. */
public final class ProviderException extends RuntimeException {

    private final String provider;

    public ProviderException(String provider, String message, Throwable cause) {
        super(message, cause);
        this.provider = provider;
    }

    public String provider() {
        return provider;
    }
}
