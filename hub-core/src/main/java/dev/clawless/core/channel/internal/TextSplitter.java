package dev.clawless.core.channel.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a reply into parts no longer than a platform's limit (in UTF-16 units, as Telegram and WhatsApp count),
 * preferring a paragraph break, then a line break, then a sentence end, then a space; a single word longer than the
 * limit is cut hard, never inside a surrogate pair. Parts are trimmed; none is empty.
 */
public final class TextSplitter {

    private TextSplitter() {
    }

    public static List<String> split(String text, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive");
        }
        List<String> parts = new ArrayList<>();
        String rest = text.strip();
        while (rest.length() > limit) {
            int cut = cutPoint(rest, limit);
            String head = rest.substring(0, cut).strip();
            if (!head.isEmpty()) {
                parts.add(head);
            }
            rest = rest.substring(cut).strip();
        }
        if (!rest.isEmpty() || parts.isEmpty()) {
            parts.add(rest);
        }
        return parts;
    }

    private static int cutPoint(String s, int limit) {
        String window = s.substring(0, limit + 1);
        int minimum = limit / 3;
        int at = window.lastIndexOf("\n\n");
        if (at >= minimum) {
            return at + 2;
        }
        at = window.lastIndexOf('\n');
        if (at >= minimum) {
            return at + 1;
        }
        int sentence = -1;
        for (int i = limit - 1; i >= minimum; i--) {
            char c = window.charAt(i);
            if ((c == '.' || c == '!' || c == '?' || c == '。') && Character.isWhitespace(window.charAt(i + 1))) {
                sentence = i + 1;
                break;
            }
        }
        if (sentence > 0) {
            return sentence;
        }
        at = window.lastIndexOf(' ');
        if (at >= minimum) {
            return at + 1;
        }
        return Character.isHighSurrogate(s.charAt(limit - 1)) ? limit - 1 : limit;
    }
}
