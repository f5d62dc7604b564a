package dev.clawless.server;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/**
 * Debian's bubblewrap for the sandboxed-plugin tests: skipped where it is not installed, unless
 * {@code CLAWLESS_REQUIRE_SANDBOX=1} (set by {@code .ci/run}, which installs it) makes its absence a failure.
 */
public final class Bubblewrap {

    private Bubblewrap() {
    }

    /** Skips the calling test class where bubblewrap is missing (fails it under CLAWLESS_REQUIRE_SANDBOX=1). */
    public static void requireOrSkip() {
        boolean present = Files.isExecutable(Path.of("/usr/bin/bwrap"));
        if (!present && "1".equals(System.getenv("CLAWLESS_REQUIRE_SANDBOX"))) {
            throw new IllegalStateException("CLAWLESS_REQUIRE_SANDBOX=1 but /usr/bin/bwrap is missing"
                    + " (apt-get install bubblewrap)");
        }
        Assumptions.assumeTrue(present, "bubblewrap is not installed (apt-get install bubblewrap)");
    }
}
