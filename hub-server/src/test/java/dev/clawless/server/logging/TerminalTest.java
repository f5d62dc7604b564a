package dev.clawless.server.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.clawless.server.config.ConfigLoader;

/** The {@code auto} log format: text for a terminal, JSON for anything else. */
class TerminalTest {

    @Test
    void aDescriptorIsATerminalWhenItPointsAtATerminalDevice(@TempDir Path dir) throws IOException {
        assertTrue(Terminal.terminal(Files.createSymbolicLink(dir.resolve("pts"), Path.of("/dev/pts/3"))));
        assertTrue(Terminal.terminal(Files.createSymbolicLink(dir.resolve("tty"), Path.of("/dev/tty1"))));
        assertFalse(Terminal.terminal(Files.createSymbolicLink(dir.resolve("pipe"), Path.of("pipe:[81234]"))));
        assertFalse(Terminal.terminal(Files.createSymbolicLink(dir.resolve("journal"), Path.of("socket:[5521]"))));
        assertFalse(Terminal.terminal(Files.createSymbolicLink(dir.resolve("file"), Path.of("/var/log/hub.log"))));
        assertFalse(Terminal.terminal(dir.resolve("missing")));
    }

    @Test
    void theDefaultFormatFollowsStderr() {
        // under the test runner stderr is a pipe: JSON, as under systemd or in a container
        assertEquals(!Terminal.stderr(), ConfigLoader.load(Optional.empty(), Map.of()).logJson());
        assertFalse(Terminal.stderr(), "the test runner's stderr is not a terminal");
        assertTrue(ConfigLoader.load(Optional.empty(), Map.of("CLAWLESS_LOG_FORMAT", "json")).logJson());
        assertFalse(ConfigLoader.load(Optional.empty(), Map.of("CLAWLESS_LOG_FORMAT", "text")).logJson());
    }
}
