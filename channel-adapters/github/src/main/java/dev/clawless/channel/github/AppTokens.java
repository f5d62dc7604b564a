package dev.clawless.channel.github;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.kohsuke.github.GHAppInstallationToken;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.GitHubBuilder;

/**
 * GitHub App authentication: an RS256 JWT signed with the App's private key (GitHub hands out PKCS#1 PEM; the JDK
 * reads PKCS#8, so the key is wrapped), exchanged for an installation token that is cached until five minutes
 * before it expires.
 */
final class AppTokens {

    private record Cached(String token, Instant expires) {
    }

    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    /** A valid installation token for {@code key} (the connection and its settings). */
    String token(String key, String endpoint, String appId, long installationId, String privateKeyPem,
                 TimeoutGitHubConnector connector) throws IOException {
        Cached c = cache.get(key);
        if (c != null && c.expires().isAfter(Instant.now().plus(Duration.ofMinutes(5)))) {
            return c.token();
        }
        String jwt;
        try {
            jwt = jwt(appId, readKey(privateKeyPem), Instant.now());
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("the app_private_key cannot be used: " + e.getClass().getSimpleName(), e);
        }
        GitHub app = new GitHubBuilder().withEndpoint(endpoint).withJwtToken(jwt).withConnector(connector).build();
        GHAppInstallationToken token = app.getApp().getInstallationById(installationId).createToken().create();
        Instant expires = token.getExpiresAt() == null ? Instant.now().plus(Duration.ofMinutes(50))
                : token.getExpiresAt().toInstant();
        cache.put(key, new Cached(token.getToken(), expires));
        return token.getToken();
    }

    static String jwt(String issuer, PrivateKey key, Instant now) throws GeneralSecurityException {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        long iat = now.getEpochSecond() - 60;
        String header = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = b64.encodeToString(("{\"iat\":" + iat + ",\"exp\":" + (iat + 540) + ",\"iss\":\"" + issuer
                + "\"}").getBytes(StandardCharsets.UTF_8));
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initSign(key);
        rs256.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
        return header + "." + claims + "." + b64.encodeToString(rs256.sign());
    }

    static PrivateKey readKey(String pem) throws GeneralSecurityException {
        boolean pkcs1 = pem.contains("BEGIN RSA PRIVATE KEY");
        byte[] der = Base64.getDecoder().decode(pem.replaceAll("-----(BEGIN|END) [A-Z ]+-----", "")
                .replaceAll("\\s", ""));
        if (pkcs1) {
            der = pkcs1ToPkcs8(der);
        }
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
    }

    /** SEQUENCE { INTEGER 0, SEQUENCE { OID rsaEncryption, NULL }, OCTET STRING { pkcs1 } }. */
    private static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
        byte[] algId = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
            0x01, 0x05, 0x00};
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octet = concat(new byte[] {0x04}, derLength(pkcs1.length), pkcs1);
        byte[] body = concat(version, algId, octet);
        return concat(new byte[] {0x30}, derLength(body.length), body);
    }

    private static byte[] derLength(int len) {
        if (len < 0x80) {
            return new byte[] {(byte) len};
        }
        if (len <= 0xff) {
            return new byte[] {(byte) 0x81, (byte) len};
        }
        if (len <= 0xffff) {
            return new byte[] {(byte) 0x82, (byte) (len >> 8), (byte) len};
        }
        return new byte[] {(byte) 0x83, (byte) (len >> 16), (byte) (len >> 8), (byte) len};
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }
}
