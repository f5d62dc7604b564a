package dev.clawless.core.common;

/**
 * What the hub does with text from outside before it stores or embeds it. Every entry point (request bodies, channel
 * payloads, polled mail) passes text through {@link #clean}; anything that needs words (embedding, validation of
 * required text) asks {@link #hasContent}.
 */
public final class Texts {

    private Texts() {
    }

    /**
     * The text as the hub can store it on every database: NUL characters (PostgreSQL's text types refuse them) and
     * unpaired UTF-16 surrogates (which no encoding can write) become U+FFFD, the replacement character, so ids stay
     * distinct and non-empty. Everything else, invisible characters included, is kept as sent. Answers {@code text}
     * itself when nothing needed changing.
     */
    public static String clean(String text) {
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '\u0000' || Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i += 2;
                    continue;
                }
                break;
            }
            i++;
        }
        if (i == n) {
            return text;
        }
        StringBuilder out = new StringBuilder(n);
        out.append(text, 0, i);
        for (; i < n; i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else if (Character.isSurrogate(c) || c == '\u0000') {
                out.append('\uFFFD');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * True when the text has something a reader (or a language model's tokenizer) can take for a word or sign: a
     * letter, digit, punctuation mark or symbol. Text made only of whitespace, control and format characters
     * (U+200B, U+FEFF, tag characters), combining marks without a base, private-use or unassigned code points, or
     * U+FFFD is empty for this purpose, however long it is.
     */
    public static boolean hasContent(String text) {
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == 0xFFFD) {
                continue;
            }
            switch (Character.getType(cp)) {
                case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                     Character.MODIFIER_LETTER, Character.OTHER_LETTER, Character.DECIMAL_DIGIT_NUMBER,
                     Character.LETTER_NUMBER, Character.OTHER_NUMBER, Character.CONNECTOR_PUNCTUATION,
                     Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION,
                     Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                     Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
                     Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> {
                    return true;
                }
                default -> {
                    // whitespace, controls, format characters, marks, surrogates, private use, unassigned
                }
            }
        }
        return false;
    }
}
