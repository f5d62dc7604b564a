package dev.clawless.core.security;

import java.util.Base64;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretVaultTest {

    private final SecretVault vault = new SecretVault(SecretVault.newKey());

    @Test
    void aSealedSecretOpensOnlyWithItsKeyAndContext() {
        String sealed = vault.encrypt("whsec_abc", "webhook:wh_1");
        assertTrue(SecretVault.isSealed(sealed));
        assertFalse(sealed.contains("whsec_abc"));
        assertEquals("whsec_abc", vault.decrypt(sealed, "webhook:wh_1"));
        assertNotEquals(sealed, vault.encrypt("whsec_abc", "webhook:wh_1"), "a fresh nonce every time");
        assertThrows(IllegalStateException.class, () -> vault.decrypt(sealed, "webhook:wh_2"), "moved to another row");
        assertThrows(IllegalStateException.class, () -> new SecretVault(SecretVault.newKey())
                .decrypt(sealed, "webhook:wh_1"), "another master key");
    }

    @Test
    void anyAlteredByteIsDetected() {
        String sealed = vault.encrypt("token-123", "c");
        byte[] raw = Base64.getUrlDecoder().decode(sealed.substring(3));
        for (int i = 0; i < raw.length; i += 7) {
            byte[] altered = raw.clone();
            altered[i] ^= 1;
            String tampered = "v1:" + Base64.getUrlEncoder().withoutPadding().encodeToString(altered);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> vault.decrypt(tampered, "c"));
            assertFalse(e.getMessage().contains("token-123"));
        }
        assertThrows(IllegalStateException.class, () -> vault.decrypt("v1:AAAA", "c"));
        assertThrows(IllegalStateException.class, () -> vault.decrypt("plain", "c"));
    }

    @Test
    void onlyAes256KeysAreAccepted() {
        assertThrows(IllegalArgumentException.class, () -> new SecretVault(new byte[16]));
        assertFalse(vault.toString().contains("key=" + Base64.getEncoder().encodeToString(new byte[1])));
    }
}
