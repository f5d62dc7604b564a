package dev.clawless.core.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Starts a bubblewrap command the way every sandbox starts: with an empty environment, inside its control groups
 * (a shell joins them and then execs, so not one instruction of the sandbox runs outside them) and under rlimits
 * set by {@code prlimit} where it is installed.
 */
public final class Launch {

    private static final String CGROUP_JOIN = "IFS=:; for f in $CLAWLESS_CGROUPS; do echo $$ > \"$f\" || exit 97;"
            + " done; unset CLAWLESS_CGROUPS PWD OLDPWD; exec \"$@\"";
    private static final Path PRLIMIT = Path.of("/usr/bin/prlimit");

    private Launch() {
    }

    /**
     * @param rlimits     {@code prlimit} options, e.g. {@code --as=…}
     * @param bwrap       the bubblewrap command line
     * @param mergeErrors standard error into standard output
     * @param what        what needs bubblewrap, for the error ("sandboxed plugins")
     */
    public static Process start(Optional<Cgroups.Groups> groups, List<String> rlimits, List<String> bwrap,
                                boolean mergeErrors, String what) throws IOException {
        List<String> command = new ArrayList<>();
        if (groups.isPresent()) {
            command.addAll(List.of("/bin/sh", "-c", CGROUP_JOIN, "sh"));
        }
        if (Files.isExecutable(PRLIMIT) && !rlimits.isEmpty()) {
            command.add(PRLIMIT.toString());
            command.addAll(rlimits);
            command.add("--");
        }
        command.addAll(bwrap);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(mergeErrors);
        pb.environment().clear();
        groups.ifPresent(g -> pb.environment().put("CLAWLESS_CGROUPS", g.procsFiles()));
        try {
            return pb.start();
        } catch (IOException e) {
            throw new IOException("cannot start " + bwrap.get(0) + " (bubblewrap, which " + what + " need): "
                    + e.getMessage(), e);
        }
    }
}
