package dev.clawless.core.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Per-sandbox control groups, where the hub may create them: a {@code clawless-sandbox/<name>} group in each of the
 * pids, memory and cpu hierarchies (cgroup v1, as a root hub sees them) or one group under the hub's own delegated
 * cgroup v2 subtree (systemd's {@code Delegate=}; the hub moves itself into a {@code hub} leaf so that its cgroup may
 * hand the controllers down). A sandbox joins them before bubblewrap starts, so every
 * process and thread it makes is counted. Where neither is writable the hub logs that only the JVM's own limits
 * and the rlimits hold.
 */
public final class Cgroups {

    private static final Path ROOT = Path.of("/sys/fs/cgroup");

    /** The groups of one sandbox and the limits they carry. */
    public record Groups(List<Path> folders, String limits) {

        /** The {@code cgroup.procs} files a starting sandbox writes its pid into. */
        public String procsFiles() {
            return String.join(":", folders.stream().map(f -> f.resolve("cgroup.procs").toString()).toList());
        }

        /**
         * Removes the groups once the sandbox's last process has left them (which can take a moment after the first
         * one died); what is still busy after two seconds is removed by the next start's sweep.
         */
        public void remove() {
            for (Path f : folders) {
                for (int attempt = 0; attempt < 40 && Files.exists(f); attempt++) {
                    try {
                        Files.deleteIfExists(f);
                    } catch (IOException busy) {
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
            }
        }
    }

    private Cgroups() {
    }

    /** Groups for the sandbox {@code name} with these limits, or empty when the hub may not create groups. */
    public static Optional<Groups> create(String name, long memoryBytes, double cpus, int maxProcesses) {
        try {
            if (Files.isDirectory(ROOT.resolve("pids")) && Files.isWritable(ROOT.resolve("pids"))) {
                return Optional.of(v1(name, memoryBytes, cpus, maxProcesses));
            }
            Optional<Path> own = ownV2();
            if (own.isPresent()) {
                return Optional.of(v2(own.get(), name, memoryBytes, cpus, maxProcesses));
            }
        } catch (IOException | RuntimeException e) {
            System.getLogger(Cgroups.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot create control groups for sandbox {0}: {1}", name, e.getMessage());
        }
        return Optional.empty();
    }

    private static Groups v1(String name, long memoryBytes, double cpus, int maxProcesses) throws IOException {
        List<Path> folders = new ArrayList<>();
        List<String> limits = new ArrayList<>();
        Path pids = group(ROOT.resolve("pids"), name);
        Files.writeString(pids.resolve("pids.max"), Integer.toString(maxProcesses));
        folders.add(pids);
        limits.add("pids " + maxProcesses);
        Path memory = ROOT.resolve("memory");
        if (Files.isWritable(memory)) {
            Path m = group(memory, name);
            Files.writeString(m.resolve("memory.limit_in_bytes"), Long.toString(memoryBytes));
            if (Files.exists(m.resolve("memory.memsw.limit_in_bytes"))) {
                Files.writeString(m.resolve("memory.memsw.limit_in_bytes"), Long.toString(memoryBytes));
            }
            folders.add(m);
            limits.add("memory " + (memoryBytes >> 20) + " MiB");
        }
        Path cpu = ROOT.resolve("cpu");
        if (Files.isWritable(cpu)) {
            Path c = group(cpu, name);
            Files.writeString(c.resolve("cpu.cfs_period_us"), "100000");
            Files.writeString(c.resolve("cpu.cfs_quota_us"), Long.toString(Math.max(1000, (long) (cpus * 100000))));
            folders.add(c);
            limits.add("cpu " + cpus);
        }
        return new Groups(folders, "cgroup v1: " + String.join(", ", limits));
    }

    private static synchronized Groups v2(Path own, String name, long memoryBytes, double cpus, int maxProcesses)
            throws IOException {
        String controllers = Files.readString(own.resolve("cgroup.controllers")).trim();
        StringBuilder enable = new StringBuilder();
        for (String c : List.of("pids", "memory", "cpu")) {
            if ((" " + controllers + " ").contains(" " + c + " ")) {
                enable.append('+').append(c).append(' ');
            }
        }
        String wanted = enable.toString().trim();
        if (!Files.readString(own.resolve("cgroup.subtree_control")).contains("pids")) {
            // a cgroup with processes cannot hand controllers down: the hub moves itself into a leaf first
            Path leaf = own.resolve("hub");
            Files.createDirectories(leaf);
            Files.writeString(leaf.resolve("cgroup.procs"), Long.toString(ProcessHandle.current().pid()));
            Files.writeString(own.resolve("cgroup.subtree_control"), wanted);
        }
        Path parent = own.resolve("clawless-sandbox");
        Files.createDirectories(parent);
        Files.writeString(parent.resolve("cgroup.subtree_control"), wanted);
        sweep(parent);
        Path g = parent.resolve(name);
        Files.createDirectories(g);
        List<String> limits = new ArrayList<>();
        if (Files.exists(g.resolve("pids.max"))) {
            Files.writeString(g.resolve("pids.max"), Integer.toString(maxProcesses));
            limits.add("pids " + maxProcesses);
        }
        if (Files.exists(g.resolve("memory.max"))) {
            Files.writeString(g.resolve("memory.max"), Long.toString(memoryBytes));
            if (Files.exists(g.resolve("memory.swap.max"))) {
                Files.writeString(g.resolve("memory.swap.max"), "0");
            }
            limits.add("memory " + (memoryBytes >> 20) + " MiB");
        }
        if (Files.exists(g.resolve("cpu.max"))) {
            Files.writeString(g.resolve("cpu.max"), Math.max(1000, (long) (cpus * 100000)) + " 100000");
            limits.add("cpu " + cpus);
        }
        return new Groups(List.of(g), "cgroup v2: " + String.join(", ", limits));
    }

    private static volatile Optional<Path> delegated;

    /**
     * The hub's own cgroup v2 folder as it was when the hub first looked, when it is delegated to the hub (writable,
     * with controllers). Read once: after the hub moves itself into its {@code hub} leaf, {@code /proc/self/cgroup}
     * names the leaf.
     */
    private static synchronized Optional<Path> ownV2() throws IOException {
        if (delegated == null) {
            delegated = readOwnV2();
        }
        return delegated;
    }

    private static Optional<Path> readOwnV2() throws IOException {
        if (!Files.exists(ROOT.resolve("cgroup.controllers"))) {
            return Optional.empty();
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            if (line.startsWith("0::")) {
                Path own = ROOT.resolve(line.substring(3).replaceFirst("^/", ""));
                return Files.isWritable(own) && Files.exists(own.resolve("cgroup.controllers")) ? Optional.of(own)
                        : Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static Path group(Path hierarchy, String name) throws IOException {
        Path parent = hierarchy.resolve("clawless-sandbox");
        sweep(parent);
        Path g = parent.resolve(name);
        Files.createDirectories(g);
        return g;
    }

    private static final java.util.Set<Path> SWEPT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Once per hierarchy and process: removes the empty groups a killed hub or a slow exit left behind. */
    private static void sweep(Path parent) {
        if (!SWEPT.add(parent) || !Files.isDirectory(parent)) {
            return;
        }
        try (var groups = Files.list(parent)) {
            groups.filter(Files::isDirectory).forEach(g -> {
                try {
                    if (Files.readString(g.resolve("cgroup.procs")).isBlank()) {
                        Files.deleteIfExists(g);
                    }
                } catch (IOException stillUsed) {
                    // a sandbox of another hub on this machine, or not empty yet
                }
            });
        } catch (IOException ignored) {
            // nothing to sweep
        }
    }
}
