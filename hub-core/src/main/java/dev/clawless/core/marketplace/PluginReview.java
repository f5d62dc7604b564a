package dev.clawless.core.marketplace;

import java.util.List;
import java.util.Optional;

/** What a reviewer sees of an uploaded version besides its descriptor: its archive, and what it asks for anew. */
public final class PluginReview {

    private PluginReview() {
    }

    /** A file of the archive and its uncompressed size; a nested archive's files are named {@code lib/a.jar!/x}. */
    public record FileSize(String name, long sizeBytes) {
    }

    /**
     * The stored archive, read without trusting it.
     *
     * @param entries                every entry, folders and nested archives' entries included
     * @param totalUncompressedBytes the top-level entries' uncompressed size (what the JAR expands to)
     * @param packages               the packages its classes are in, nested archives' included, sorted
     * @param nestedJars             the archives under {@code lib/}
     * @param largest                the ten largest files, largest first
     */
    public record Inspection(int entries, long totalUncompressedBytes, List<String> packages,
                             List<FileSize> nestedJars, List<FileSize> largest) {
        public Inspection {
            packages = List.copyOf(packages);
            nestedJars = List.copyOf(nestedJars);
            largest = List.copyOf(largest);
        }
    }

    /** A descriptor's permissions: the hosts it may call, the secrets it may be granted, its mutating tools. */
    public record Permissions(List<String> hosts, List<String> secrets, List<String> mutatingTools) {
        public Permissions {
            hosts = List.copyOf(hosts);
            secrets = List.copyOf(secrets);
            mutatingTools = List.copyOf(mutatingTools);
        }
    }

    /**
     * A version's permissions against the latest approved version before it (by semver) of the same plugin; with
     * none, everything it asks for is added.
     */
    public record PermissionsDiff(Optional<String> previousVersion, Permissions added, Permissions removed) {
    }
}
