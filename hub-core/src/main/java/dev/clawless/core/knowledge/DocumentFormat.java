package dev.clawless.core.knowledge;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** How a document's content is written. */
public enum DocumentFormat {
    /** Markdown: chunked by section, each chunk prefixed with its heading path. */
    MARKDOWN,
    /** Plain text: chunked by paragraph and sentence. */
    TEXT,
    /** Questions and answers: one chunk per pair, matched on the question. */
    FAQ;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<DocumentFormat> fromWire(String value) {
        return Arrays.stream(values()).filter(f -> f.wire().equals(value)).findFirst();
    }
}
