package dev.clawless.core.marketplace.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Where plugins run and what a sandboxed one may take.
 *
 * @param isolation    which plugin versions run sandboxed: {@code none} (every approved plugin in the hub's JVM),
 *                     {@code third-party} (all but those signed by a trusted publisher) or {@code all}
 * @param bwrap        Debian's {@code bubblewrap} binary
 * @param memoryMb     the child JVM's heap; its whole process (heap, metaspace, threads, native) is held to about
 *                     three times that
 * @param cpus         CPU time one sandbox may use, in cores (cgroups, where the hub may create them)
 * @param maxProcesses threads and processes one sandbox may run (cgroups, where the hub may create them)
 * @param tmpBytes     size of the sandbox's private {@code /tmp}
 * @param callTimeout  longest one call into the sandbox may take before the sandbox is stopped
 * @param runFolder    where the hub keeps each sandbox's egress socket (never visible to another sandbox)
 */
public record SandboxSettings(Isolation isolation, Path bwrap, int memoryMb, double cpus, int maxProcesses,
                              long tmpBytes, Duration callTimeout, Path runFolder) {

    /** Which plugin versions run sandboxed. */
    public enum Isolation {
        NONE, THIRD_PARTY, ALL;

        /** Parses {@code none}, {@code third-party} or {@code all}. */
        public static Isolation parse(String text) {
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "none", "in-process" -> NONE;
                case "third-party" -> THIRD_PARTY;
                case "all", "sandboxed" -> ALL;
                default -> throw new IllegalArgumentException("expected none, third-party or all");
            };
        }

        /** Whether a version signed by {@code signedBy} (a trusted publisher) or unsigned runs sandboxed. */
        public boolean sandboxes(java.util.Optional<String> signedBy) {
            return this == ALL || (this == THIRD_PARTY && signedBy.isEmpty());
        }
    }

    /** Every plugin in the hub's JVM (what the hub did before sandboxes). */
    public static SandboxSettings inProcess(Path runFolder) {
        return new SandboxSettings(Isolation.NONE, Path.of("/usr/bin/bwrap"), 192, 1.0, 256, 64L << 20,
                Duration.ofSeconds(60), runFolder);
    }
}
