package dev.clawless.core.tenant;

/**
 * A key just created or rotated, with the full secret key string. This is the only time the secret exists outside
 * the caller's hands: it is shown once and never stored.
 *
 * @param key    the stored key
 * @param secret {@code ck_live_<id>_<secret>}
 */
public record IssuedKey(ApiKey key, String secret) {

    @Override
    public String toString() {
        return "IssuedKey[key=" + key + ", secret=****]";
    }
}
