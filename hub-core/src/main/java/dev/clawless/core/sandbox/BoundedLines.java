package dev.clawless.core.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Reads what a sandboxed process writes, line by line, never holding more than one line of {@code maxLine}
 * characters: a longer line is cut there (marked with "…") and the rest of it skipped, so a process writing
 * gigabytes without a newline costs the hub nothing.
 */
public final class BoundedLines {

    private BoundedLines() {
    }

    /** Reads {@code in} to its end, handing each (cut) line to {@code each}. */
    public static void read(InputStream in, int maxLine, Consumer<String> each) throws IOException {
        try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            StringBuilder line = new StringBuilder();
            boolean cut = false;
            char[] buffer = new char[8192];
            int n;
            while ((n = r.read(buffer)) > 0) {
                for (int i = 0; i < n; i++) {
                    char c = buffer[i];
                    if (c == '\n') {
                        each.accept(line.toString());
                        line.setLength(0);
                        cut = false;
                    } else if (line.length() < maxLine) {
                        if (c != '\r') {
                            line.append(c);
                        }
                    } else if (!cut) {
                        line.append('…');
                        cut = true;
                    }
                }
            }
            if (!line.isEmpty()) {
                each.accept(line.toString());
            }
        }
    }
}
