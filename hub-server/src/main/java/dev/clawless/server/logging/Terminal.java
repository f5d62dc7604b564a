package dev.clawless.server.logging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether the hub's log stream (stderr) is a person's terminal rather than a file, a pipe or a journal. */
public final class Terminal {

    private Terminal() {
    }

    /**
     * True when file descriptor 2 is a terminal device ({@code /dev/pts/…}, {@code /dev/tty…}), read from Linux's
     * {@code /proc/self/fd/2}; false for a pipe, a file, the systemd journal (a socket), or where {@code /proc} is not
     * there to ask.
     */
    public static boolean stderr() {
        return terminal(Path.of("/proc/self/fd/2"));
    }

    static boolean terminal(Path descriptor) {
        try {
            String target = Files.readSymbolicLink(descriptor).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }
}
