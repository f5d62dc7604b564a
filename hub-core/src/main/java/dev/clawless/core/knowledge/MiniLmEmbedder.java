package dev.clawless.core.knowledge;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;

import dev.clawless.core.common.Texts;

/**
 * all-MiniLM-L6-v2 (384 dimensions), quantized to 8-bit weights, run in-process by ONNX Runtime through langchain4j;
 * the model ships inside a Maven artifact, so nothing is downloaded at run time. Loading takes about a quarter of a
 * second, and happens on first use.
 *
 * <p>The quantized model rather than the float one: it embeds a question in 2.5 ms of CPU instead of 6.3 on this
 * project's machines, loads in 0.23 s instead of 1 s and ships 23 MB instead of 90, and its vectors keep a cosine of
 * 0.99 with the float model's; the knowledge evaluation answers the same but for one Spanish question of 60
 * (docs/benchmarks.md, "Retrieval assistant: answers and refusals"). Vectors stored by another model are computed
 * again at start ({@link Reembedding}).
 *
 * <p>The ONNX session computes each text on the calling thread alone (one intra-op thread, no spinning): the hub
 * embeds many short texts at once (every question of every chat request), so its parallelism is the requests'.
 * ONNX Runtime's default — a pool of one thread per core that spin-waits for work — made concurrent requests spin
 * against each other for cores they all needed (docs/benchmarks.md, "Chat completions through the retrieval
 * assistant"). Runs of the one session proceed concurrently; ONNX Runtime makes that safe.
 */
public final class MiniLmEmbedder implements Embedder {

    /** The model's name in the API ({@code /v1/models}, {@code /v1/embeddings}) and beside each stored vector. */
    public static final String MODEL = "all-minilm-l6-v2-q";
    /** The model and tokenizer inside langchain4j's quantized all-MiniLM-L6-v2 artifact. */
    private static final String MODEL_FILE = "all-minilm-l6-v2-q.onnx";
    private static final String TOKENIZER = "all-minilm-l6-v2-q-tokenizer.json";

    private volatile AbstractInProcessEmbeddingModel model;

    @Override
    public String model() {
        return MODEL;
    }

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
            List<Embedding> embeddings = loaded().embedAll(segments).content();
            for (int j = 0; j < embeddings.size(); j++) {
                out.set(positions.get(j), Vectors.normalize(embeddings.get(j).vector()));
            }
        } catch (IllegalArgumentException emptyAfterTokenizing) {
            // one text of the batch had nothing the tokenizer keeps: embed one by one, leaving that one at zero
            for (int j = 0; j < segments.size(); j++) {
                try {
                    out.set(positions.get(j), Vectors.normalize(loaded().embed(segments.get(j)).content().vector()));
                } catch (IllegalArgumentException empty) {
                    // stays the zero vector
                }
            }
        }
        return out;
    }

    private AbstractInProcessEmbeddingModel loaded() {
        AbstractInProcessEmbeddingModel m = model;
        if (m == null) {
            synchronized (this) {
                m = model;
                if (m == null) {
                    m = new MiniLm(load());
                    model = m;
                }
            }
        }
        return m;
    }

    private static OnnxBertBiEncoder load() {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            options.addConfigEntry("session.inter_op.allow_spinning", "0");
            // the session keeps what it needs of the options: they may be closed once it exists
            OrtSession session = environment.createSession(resource(MODEL_FILE).readAllBytes(), options);
            return new OnnxBertBiEncoder(environment, session, resource(TOKENIZER), PoolingMode.MEAN);
        } catch (OrtException e) {
            throw new IllegalStateException("the embedding model cannot be loaded", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = AllMiniLmL6V2QuantizedEmbeddingModel.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException(name + " is missing from the class path (langchain4j's all-MiniLM-L6-v2-q)");
        }
        return in;
    }

    /**
     * langchain4j's in-process model over the session above: one text runs on the caller's thread, the texts of a
     * batch (a document's chunks) are spread over langchain4j's default pool of one thread per core.
     */
    private static final class MiniLm extends AbstractInProcessEmbeddingModel {

        private final OnnxBertBiEncoder encoder;

        MiniLm(OnnxBertBiEncoder encoder) {
            super(null);
            this.encoder = encoder;
        }

        @Override
        protected OnnxBertBiEncoder model() {
            return encoder;
        }

        @Override
        protected Integer knownDimension() {
            return 384;
        }
    }
}
