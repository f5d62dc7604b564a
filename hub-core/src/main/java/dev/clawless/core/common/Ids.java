package dev.clawless.core.common;

import java.security.SecureRandom;
import java.time.Clock;

/**
 * Opaque, type-prefixed ids ({@code ten_01jd4k…}) that sort by creation time: 48 bits of milliseconds and 80 random
 * bits in lower-case Crockford base32. Sorting by id is creation order, which keeps cursor paging simple.
 * Thread-safe.
 */
public final class Ids {

    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final int BODY_LENGTH = 26;

    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public Ids(Clock clock) {
        this.clock = clock;
    }

    /** A new id with the given prefix, e.g. {@code next("ten")} gives {@code ten_…}. */
    public String next(String prefix) {
        return prefix + "_" + body();
    }

    /** True when {@code id} has the shape of an id with this prefix (it may still not exist). */
    public static boolean looksLike(String prefix, String id) {
        if (id.length() != prefix.length() + 1 + BODY_LENGTH || !id.startsWith(prefix + "_")) {
            return false;
        }
        for (int i = prefix.length() + 1; i < id.length(); i++) {
            if (!isBodyChar(id.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static boolean isBodyChar(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z' && c != 'i' && c != 'l' && c != 'o' && c != 'u');
    }

    private String body() {
        long millis = clock.millis();
        byte[] randomBytes = new byte[10];
        random.nextBytes(randomBytes);
        char[] out = new char[BODY_LENGTH];
        // 10 chars carry the 48-bit timestamp (50 bits, top two zero), 16 chars the 80 random bits.
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET[(int) (millis & 31)];
            millis >>>= 5;
        }
        long hi = 0;
        for (int i = 0; i < 5; i++) {
            hi = (hi << 8) | (randomBytes[i] & 0xff);
        }
        long lo = 0;
        for (int i = 5; i < 10; i++) {
            lo = (lo << 8) | (randomBytes[i] & 0xff);
        }
        for (int i = 17; i >= 10; i--) {
            out[i] = ALPHABET[(int) (hi & 31)];
            hi >>>= 5;
        }
        for (int i = 25; i >= 18; i--) {
            out[i] = ALPHABET[(int) (lo & 31)];
            lo >>>= 5;
        }
        return new String(out);
    }
}
