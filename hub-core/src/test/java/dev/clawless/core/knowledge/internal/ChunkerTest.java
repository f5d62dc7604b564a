package dev.clawless.core.knowledge.internal;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.clawless.core.knowledge.DocumentFormat;
import dev.clawless.core.knowledge.FaqEntry;
import dev.clawless.core.knowledge.NewDocument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChunkerTest {

    private final Chunker chunker = new Chunker(200);

    @Test
    void markdownChunksCarryTheirHeadingPathAndCodeFencesAreNotHeadings() {
        String md = """
                # Shipping
                We ship worldwide.

                ## Returns
                Return within 30 days.

                ```
                # not a heading
                ```
                """;
        List<String> texts = chunker.chunk(NewDocument.text("Guide", DocumentFormat.MARKDOWN, md)).stream()
                .map(Chunker.Chunk::text).toList();
        assertEquals(2, texts.size(), texts.toString());
        assertEquals("Shipping: We ship worldwide.", texts.get(0));
        assertTrue(texts.get(1).startsWith("Shipping > Returns: Return within 30 days."), texts.get(1));
        assertTrue(texts.get(1).contains("# not a heading"));
    }

    @Test
    void longTextIsCutBySentenceWithinTheLimit() {
        String sentence = "This sentence has some words in it. ";
        String text = sentence.repeat(40) + "\n\n" + "x".repeat(450);
        List<String> texts = chunker.chunk(NewDocument.text("T", DocumentFormat.TEXT, text)).stream()
                .map(Chunker.Chunk::text).toList();
        assertTrue(texts.size() > 5, texts.size() + " chunks");
        texts.forEach(t -> assertTrue(t.length() <= 200, t.length() + ": " + t));
        assertEquals(text.replaceAll("\\s", ""), String.join("", texts).replaceAll("\\s", ""),
                "every character survives, in order");
    }

    @Test
    void faqEntriesBecomeOneChunkEachWithTheirAnswer() {
        List<Chunker.Chunk> chunks = chunker.chunk(NewDocument.faq("FAQ", List.of(
                new FaqEntry(" When will my order arrive? ", "Within 3-5 business days."),
                new FaqEntry("Can I return an item?", "Yes, within 30 days."))));
        assertEquals(2, chunks.size());
        assertEquals("When will my order arrive?", chunks.get(0).text());
        assertEquals("Within 3-5 business days.", chunks.get(0).answer().orElseThrow());
    }
}
