package dev.clawless.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdminTokenTest {

    @Test
    void firstRunGeneratesAndKeepsATokenThatLaterRunsReuse(@TempDir Path dir) throws IOException {
        AdminToken first = AdminToken.resolve(Optional.empty(), dir.resolve("data"));
        assertTrue(first.generated());
        assertTrue(first.value().length() >= 40);
        Path file = dir.resolve("data").resolve("admin-token");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        AdminToken second = AdminToken.resolve(Optional.empty(), dir.resolve("data"));
        assertFalse(second.generated());
        assertEquals(first.value(), second.value());
    }

    @Test
    void aConfiguredTokenWinsAndNothingIsWritten(@TempDir Path dir) {
        AdminToken t = AdminToken.resolve(Optional.of("configured-token-0123456789"), dir);
        assertEquals("configured-token-0123456789", t.value());
        assertFalse(Files.exists(dir.resolve("admin-token")));
        assertFalse(t.toString().contains("configured"));
    }
}
