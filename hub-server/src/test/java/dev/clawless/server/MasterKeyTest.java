package dev.clawless.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.clawless.server.config.ConfigException;
import dev.clawless.server.config.ConfigLoader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MasterKeyTest {

    @Test
    void aGeneratedKeyIsKeptPrivateAndReused(@TempDir Path dir) throws IOException {
        byte[] first = MasterKey.resolve(Optional.empty(), dir);
        assertEquals(32, first.length);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("master-key"))));
        assertArrayEquals(first, MasterKey.resolve(Optional.empty(), dir));
        byte[] configured = new byte[32];
        assertArrayEquals(configured, MasterKey.resolve(Optional.of(configured), dir));
    }

    @Test
    void aDamagedKeyFileStopsStartUpInsteadOfLosingSecrets(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("master-key"), "not-base64!!");
        assertThrows(IllegalStateException.class, () -> MasterKey.resolve(Optional.empty(), dir));
        Files.writeString(dir.resolve("master-key"), "AAAA");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> MasterKey.resolve(Optional.empty(), dir));
        assertTrue(e.getMessage().contains("32"), e.getMessage());
    }

    @Test
    void aConfiguredKeyMustBe32BytesOfBase64AndIsNeverEchoed() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Optional.empty(),
                Map.of("CLAWLESS_MASTER_KEY", "c2hvcnQta2V5")));
        assertTrue(e.getMessage().contains("clawless.master-key (from CLAWLESS_MASTER_KEY)"), e.getMessage());
        assertFalse(e.getMessage().contains("c2hvcnQta2V5"));
        String good = java.util.Base64.getEncoder().encodeToString(new byte[32]);
        assertTrue(ConfigLoader.load(Optional.empty(), Map.of("CLAWLESS_MASTER_KEY", good)).masterKey().isPresent());
    }
}
