package dev.clawless.core.common;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Turns the sort key of the last row of a page into an opaque cursor and back. A cursor that does not decode is the
 * caller's error (400), never a server error.
 */
public final class Cursors {

    private Cursors() {
    }

    public static String encode(String sortKey) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sortKey.getBytes(StandardCharsets.UTF_8));
    }

    public static String decode(String cursor) {
        try {
            String key = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (key.isEmpty() || key.length() > 100 || !key.chars().allMatch(c -> c > 32 && c < 127)) {
                throw new IllegalArgumentException("bad key");
            }
            return key;
        } catch (IllegalArgumentException e) {
            throw ClawlessException.Validation.of("cursor", "is not a cursor this list returned");
        }
    }

    /** Decodes a cursor whose sort key is a number (e.g. an identity column). */
    public static long decodeLong(String cursor) {
        try {
            return Long.parseLong(decode(cursor));
        } catch (NumberFormatException e) {
            throw ClawlessException.Validation.of("cursor", "is not a cursor this list returned");
        }
    }
}
