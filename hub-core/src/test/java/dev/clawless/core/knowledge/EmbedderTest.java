package dev.clawless.core.knowledge;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The in-process embedder with text that has nothing to embed. */
class EmbedderTest {

    private static final MiniLmEmbedder EMBEDDER = new MiniLmEmbedder();

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    @Test
    void invisibleTextEmbedsAsTheZeroVectorInsteadOfThrowing() {
        List<String> texts = new ArrayList<>(dev.clawless.core.common.HostileTexts.EMPTY_FOR_READERS);
        for (String text : texts) {
            float[] v = EMBEDDER.embed(text);
            assertEquals(384, v.length);
            assertEquals(0.0, norm(v), 1e-9, () -> "not zero for " + text.codePoints().boxed().toList());
        }
        // mixed in one batch, the real texts keep their vectors and their order
        texts.add(1, "Do you ship to Canada?");
        texts.add("How long does delivery take?");
        List<float[]> batch = EMBEDDER.embed(texts);
        assertEquals(texts.size(), batch.size());
        assertEquals(1.0, norm(batch.get(1)), 1e-4);
        assertEquals(1.0, norm(batch.get(batch.size() - 1)), 1e-4);
        assertEquals(0.0, norm(batch.get(0)), 1e-9);
        assertTrue(Vectors.dot(batch.get(1), EMBEDDER.embed("Can you deliver to Canada?")) > 0.6);
    }
}
