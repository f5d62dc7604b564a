package dev.clawless.core.account.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import javax.crypto.spec.SecretKeySpec;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import org.apache.commons.codec.binary.Base32;

/**
 * RFC 6238 one-time passwords as authenticator apps make them: HMAC-SHA1, 30-second steps, six digits, a 160-bit
 * secret shown in base32. A code is accepted for the step before and after the current one (clock drift), and never
 * for a step at or before the last one used (no replay). Thread-safe.
 */
public final class TotpCodes {

    private static final Duration STEP = Duration.ofSeconds(30);
    private static final TimeBasedOneTimePasswordGenerator TOTP = new TimeBasedOneTimePasswordGenerator(STEP, 6);
    private static final SecureRandom RANDOM = new SecureRandom();

    private TotpCodes() {
    }

    /** A new secret, base32 without padding (what authenticator apps take). */
    public static String newSecret() {
        byte[] bytes = new byte[20];
        RANDOM.nextBytes(bytes);
        return new Base32().encodeToString(bytes).replace("=", "");
    }

    /** The {@code otpauth://} URI an authenticator app scans. */
    public static String uri(String issuer, String account, String secret) {
        String label = URLEncoder.encode(issuer + ":" + account, StandardCharsets.UTF_8).replace("+", "%20");
        return "otpauth://totp/" + label + "?secret=" + secret + "&issuer="
                + URLEncoder.encode(issuer, StandardCharsets.UTF_8).replace("+", "%20")
                + "&algorithm=SHA1&digits=6&period=30";
    }

    /**
     * The step {@code code} is valid for at {@code now}, if any (the current one, or one step either side), and only
     * if it comes after {@code lastUsedStep}.
     */
    public static Optional<Long> verify(String secret, String code, Instant now, Optional<Long> lastUsedStep) {
        if (code == null || !code.matches("[0-9]{6}")) {
            return Optional.empty();
        }
        SecretKeySpec key = new SecretKeySpec(new Base32().decode(secret), TOTP.getAlgorithm());
        long current = now.getEpochSecond() / STEP.getSeconds();
        for (long step = current - 1; step <= current + 1; step++) {
            if (lastUsedStep.isPresent() && step <= lastUsedStep.get()) {
                continue;
            }
            try {
                String expected = TOTP.generateOneTimePasswordString(key, Instant.ofEpochSecond(step * STEP.getSeconds()),
                        java.util.Locale.ROOT);
                if (java.security.MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                        code.getBytes(StandardCharsets.US_ASCII))) {
                    return Optional.of(step);
                }
            } catch (InvalidKeyException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** The code of {@code secret} at {@code at}; for tests and the enrolment check. */
    public static String code(String secret, Instant at) {
        try {
            return TOTP.generateOneTimePasswordString(new SecretKeySpec(new Base32().decode(secret),
                    TOTP.getAlgorithm()), at, java.util.Locale.ROOT);
        } catch (InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
