package dev.clawless.plugin.api;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Helpers for checking platforms' webhook signatures: HMACs and constant-time comparison. */
public final class Signatures {

    private Signatures() {
    }

    /** HMAC of {@code data} under {@code key} with {@code algorithm} ({@code HmacSHA256}, {@code HmacSHA1}). */
    public static byte[] hmac(String algorithm, byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, algorithm));
            return mac.doFinal(data);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(algorithm + " is not available", e);
        }
    }

    /** Lower-case hex HMAC-SHA256 of {@code data} under the UTF-8 bytes of {@code secret}. */
    public static String hmacSha256Hex(String secret, byte[] data) {
        return HexFormat.of().formatHex(hmac("HmacSHA256", secret.getBytes(StandardCharsets.UTF_8), data));
    }

    /**
     * Checks a {@code sha256=<hex HMAC-SHA256(secret, raw body)>} header, as GitHub and Meta sign webhooks.
     *
     * @throws ChannelException.Unverified when the header is missing or does not match
     */
    public static void requireSha256Body(InboundRequest request, String header, Optional<String> secret) {
        String given = request.header(header).orElseThrow(() -> new ChannelException.Unverified("missing " + header));
        String key = secret.orElseThrow(() -> new ChannelException.Unverified(
                "this connection has no secret to check " + header + " with"));
        if (!constantTimeEquals("sha256=" + hmacSha256Hex(key, request.body()), given)) {
            throw new ChannelException.Unverified(header + " does not match the body");
        }
    }

    /**
     * Compares two strings in constant time (over their SHA-256 digests, so not even their lengths leak), so a caller cannot learn how much of a
     * signature it guessed right. Null is unequal to everything.
     */
    public static boolean constantTimeEquals(String expected, String given) {
        if (expected == null || given == null) {
            return false;
        }
        return MessageDigest.isEqual(sha256(expected), sha256(given));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
