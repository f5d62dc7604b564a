package dev.clawless.core.channel.internal;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextSplitterTest {

    @Test
    void shortTextIsOnePart() {
        assertEquals(List.of("Hello there."), TextSplitter.split("  Hello there.\n", 4096));
        assertEquals(List.of(""), TextSplitter.split("", 10));
    }

    @Test
    void prefersParagraphsThenSentencesThenWords() {
        assertEquals(List.of("First paragraph here.", "Second one."),
                TextSplitter.split("First paragraph here.\n\nSecond one.", 25));
        assertEquals(List.of("One sentence. Two sentence.", "Three sentence."),
                TextSplitter.split("One sentence. Two sentence. Three sentence.", 30));
        assertEquals(List.of("alpha beta", "gamma delta"), TextSplitter.split("alpha beta gamma delta", 12));
    }

    @Test
    void longWordsAreCutButNeverInsideASurrogatePair() {
        String emoji = "😀".repeat(5); // 10 UTF-16 units
        List<String> parts = TextSplitter.split(emoji, 3);
        assertEquals(emoji, String.join("", parts));
        for (String p : parts) {
            assertTrue(p.length() <= 3 && !Character.isLowSurrogate(p.charAt(0)), parts.toString());
        }
        assertEquals(List.of("abcd", "efgh", "ij"), TextSplitter.split("abcdefghij", 4));
    }

    @Test
    void everyPartFitsAndNothingIsLost() {
        String text = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ").repeat(300);
        List<String> parts = TextSplitter.split(text, 4096);
        assertEquals(5, parts.size());
        parts.forEach(p -> assertTrue(p.length() <= 4096 && p.endsWith(".")));
        assertEquals(text.replace(" ", ""), String.join("", parts).replace(" ", ""));
    }
}
