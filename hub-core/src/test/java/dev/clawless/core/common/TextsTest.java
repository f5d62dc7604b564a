package dev.clawless.core.common;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextsTest {

    @Test
    void invisibleTextHasNoContent() {
        for (String text : HostileTexts.EMPTY_FOR_READERS) {
            assertFalse(Texts.hasContent(text), () -> "content in " + text.codePoints().boxed().toList());
        }
    }

    @Test
    void wordsSignsAndEmojiAreContent() {
        for (String text : List.of("a", "¿", "7", "€", "😀", "你好", "مرحبا", "\u200Bhi", "?", "e\u0301")) {
            assertTrue(Texts.hasContent(text), text);
        }
    }

    @Test
    void nulAndLoneSurrogatesBecomeTheReplacementCharacter() {
        assertEquals("a\uFFFDb", Texts.clean("a\u0000b"));
        assertEquals("\uFFFD", Texts.clean("\uD800"));
        assertEquals("x\uFFFD", Texts.clean("x\uDC00"));
        assertEquals("\uFFFDy", Texts.clean("\uD800y"));
        String pair = "😀";
        assertSame(pair, Texts.clean(pair));
        assertEquals("\uFFFD😀", Texts.clean("\uDBFF" + pair));
        String plain = "plain \u200B text";
        assertSame(plain, Texts.clean(plain), "nothing to change: the same string");
    }
}
