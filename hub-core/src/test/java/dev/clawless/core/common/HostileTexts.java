package dev.clawless.core.common;

import java.util.List;

/** Text that looks like something to a parser and is nothing to a reader: every entry point must survive it. */
public final class HostileTexts {

    private HostileTexts() {
    }

    /**
     * Zero-width space, byte-order mark, NUL, the replacement character, a language tag, lone surrogates (high and
     * low), soft hyphen, a combining accent alone, right-to-left override, private use, BEL, zero-width joiners,
     * assorted Unicode spaces, and all of them at once.
     */
    public static final List<String> EMPTY_FOR_READERS = List.of("\u200B", "\uFEFF", "\u0000", "\uFFFD",
            new String(Character.toChars(0xE0001)), "\uD800", "\uDC00", "\u00AD", "\u0301", "\u202E", "\uE000",
            "\u0007", "\u200D\u200C", " \t\n\u3000\u2028", "\u200B\uFEFF\u0000\uD800");
}
