package dev.clawless.core.tenant.internal;

import java.util.Optional;

import dev.clawless.core.common.Ids;

/**
 * The shape of an API key string: {@code ck_live_<id body>_<secret>}, where the key's id is {@code key_<id body>}
 * and the secret is {@value #SECRET_LENGTH} base62 characters.
 */
public final class KeyFormat {

    public static final String PREFIX = "ck_live_";
    public static final int SECRET_LENGTH = 32;

    private KeyFormat() {
    }

    public static String format(String keyId, String secret) {
        return PREFIX + keyId.substring("key_".length()) + "_" + secret;
    }

    /** The key id and secret of a presented key string, or empty when it is not shaped like one of ours. */
    public static Optional<Parsed> parse(String presented) {
        if (presented.length() > 128 || !presented.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String rest = presented.substring(PREFIX.length());
        int sep = rest.indexOf('_');
        if (sep < 0 || rest.indexOf('_', sep + 1) >= 0) {
            return Optional.empty();
        }
        String keyId = "key_" + rest.substring(0, sep);
        String secret = rest.substring(sep + 1);
        if (!Ids.looksLike("key", keyId) || secret.length() != SECRET_LENGTH
                || !secret.chars().allMatch(Character::isLetterOrDigit) || !secret.chars().allMatch(c -> c < 128)) {
            return Optional.empty();
        }
        return Optional.of(new Parsed(keyId, secret));
    }

    /** A presented key split into its parts. */
    public record Parsed(String keyId, String secret) {
        @Override
        public String toString() {
            return "Parsed[keyId=" + keyId + ", secret=****]";
        }
    }
}
