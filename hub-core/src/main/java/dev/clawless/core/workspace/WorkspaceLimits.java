package dev.clawless.core.workspace;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What the operator allows workspaces ({@code clawless.workspace.*}).
 *
 * @param enabled        whether tenants may turn their workspace on at all
 * @param bwrap          Debian's {@code bubblewrap} binary
 * @param memoryMb       memory one workspace's processes may use together (control groups)
 * @param cpus           CPU cores one workspace may use (control groups)
 * @param maxProcesses   processes and threads one workspace may run (control groups)
 * @param diskBytes      bytes one workspace's folder may hold; also the largest file a command may write
 * @param commandTimeout longest one command may run before its shell is stopped
 * @param maxOutputChars the most of a command's output the model gets (its end, when longer)
 * @param idleTimeout    a shell nobody used for this long is stopped (its folder stays)
 */
public record WorkspaceLimits(boolean enabled, Path bwrap, int memoryMb, double cpus, int maxProcesses,
                              long diskBytes, Duration commandTimeout, int maxOutputChars, Duration idleTimeout) {

    /** Workspaces off. */
    public static final WorkspaceLimits OFF = new WorkspaceLimits(false, Path.of("/usr/bin/bwrap"), 512, 1, 256,
            1L << 30, Duration.ofMinutes(10), 20_000, Duration.ofMinutes(30));
}
