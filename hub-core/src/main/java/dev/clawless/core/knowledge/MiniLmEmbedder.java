package dev.clawless.core.knowledge;

import java.util.ArrayList;
import java.util.List;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;

import dev.clawless.core.common.Texts;

/**
 * all-MiniLM-L6-v2 (384 dimensions) run in-process by ONNX Runtime through langchain4j; the model ships inside a
 * Maven artifact, so nothing is downloaded at run time. Loading takes about a second, so it happens on first use.
 */
public final class MiniLmEmbedder implements Embedder {

    private volatile AllMiniLmL6V2EmbeddingModel model;

    @Override
    public int dimension() {
        return 384;
    }

    /**
     * {@inheritDoc}
     *
     * <p>A text without content ({@link Texts#hasContent}) gets the zero vector, which is similar to nothing; so does
     * one the tokenizer still finds empty (it drops more than whitespace: accents, control and format characters).
     */
    @Override
    public List<float[]> embed(List<String> texts) {
        List<float[]> out = new ArrayList<>(texts.size());
        List<Integer> positions = new ArrayList<>();
        List<TextSegment> segments = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            out.add(new float[dimension()]);
            String text = Texts.clean(texts.get(i));
            if (Texts.hasContent(text)) {
                positions.add(i);
                segments.add(TextSegment.from(text));
            }
        }
        if (segments.isEmpty()) {
            return out;
        }
        try {
            List<Embedding> embeddings = model().embedAll(segments).content();
            for (int j = 0; j < embeddings.size(); j++) {
                out.set(positions.get(j), Vectors.normalize(embeddings.get(j).vector()));
            }
        } catch (IllegalArgumentException emptyAfterTokenizing) {
            // one text of the batch had nothing the tokenizer keeps: embed one by one, leaving that one at zero
            for (int j = 0; j < segments.size(); j++) {
                try {
                    out.set(positions.get(j), Vectors.normalize(model().embed(segments.get(j)).content().vector()));
                } catch (IllegalArgumentException empty) {
                    // stays the zero vector
                }
            }
        }
        return out;
    }

    private AllMiniLmL6V2EmbeddingModel model() {
        AllMiniLmL6V2EmbeddingModel m = model;
        if (m == null) {
            synchronized (this) {
                m = model;
                if (m == null) {
                    m = new AllMiniLmL6V2EmbeddingModel();
                    model = m;
                }
            }
        }
        return m;
    }
}
