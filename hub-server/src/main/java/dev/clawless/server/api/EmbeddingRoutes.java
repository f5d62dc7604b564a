package dev.clawless.server.api;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.assistant.Tokens;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.ClawlessException.FieldError;
import dev.clawless.core.knowledge.Embedder;
import dev.clawless.core.knowledge.MiniLmEmbedder;
import dev.clawless.core.tenant.Scope;
import dev.clawless.server.http.Auth;
import dev.clawless.server.http.Bodies;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.Routes;

/**
 * {@code POST /v1/embeddings} (scope {@code chat}) in OpenAI's shape, from the hub's own in-process model
 * (all-MiniLM-L6-v2, 384 dimensions, unit length): the vectors the knowledge search uses, for clients that want to
 * compare texts the same way. Whatever {@code model} a client names, this model answers and the answer says so.
 */
public final class EmbeddingRoutes {

    public static final String MODEL = MiniLmEmbedder.MODEL;
    private static final int MAX_INPUTS = 256;
    private static final int MAX_CHARS = 8_000;
    private static final Set<String> FIELDS = Set.of("input", "model", "encoding_format", "dimensions", "user");

    private final Embedder embedder;
    private final Bodies bodies;

    public EmbeddingRoutes(Embedder embedder, Bodies bodies) {
        this.embedder = embedder;
        this.bodies = bodies;
    }

    public void register(Routes routes) {
        routes.post("/v1/embeddings", this::embed);
    }

    private void embed(ServerRequest req, ServerResponse res) {
        Auth.require(req, Scope.CHAT);
        ObjectNode body = bodies.object(req);
        List<FieldError> errors = new ArrayList<>();
        body.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                errors.add(new FieldError(Inputs.printable(f), "Unrecognized request argument supplied: "
                        + Inputs.printable(f)));
            }
        });
        List<String> inputs = inputs(body.get("input"), errors);
        String format = body.path("encoding_format").asText("float");
        if (!format.equals("float") && !format.equals("base64")) {
            errors.add(new FieldError("encoding_format", "must be float or base64"));
        }
        JsonNode dims = body.get("dimensions");
        if (dims != null && !dims.isNull() && !(dims.isIntegralNumber() && dims.intValue() == embedder.dimension())) {
            errors.add(new FieldError("dimensions", "this model has " + embedder.dimension() + " dimensions"));
        }
        JsonNode user = body.get("user");
        if (user != null && !user.isNull() && !user.isTextual()) {
            errors.add(new FieldError("user", "must be a string"));
        }
        if (!errors.isEmpty()) {
            throw ClawlessException.Validation.of(errors);
        }
        List<float[]> vectors = embedder.embed(inputs);
        ObjectNode out = Json.object().put("object", "list");
        ArrayNode data = out.putArray("data");
        int tokens = 0;
        for (int i = 0; i < vectors.size(); i++) {
            ObjectNode e = data.addObject().put("object", "embedding").put("index", i);
            if (format.equals("base64")) {
                ByteBuffer b = ByteBuffer.allocate(vectors.get(i).length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float f : vectors.get(i)) {
                    b.putFloat(f);
                }
                e.put("embedding", Base64.getEncoder().encodeToString(b.array()));
            } else {
                ArrayNode v = e.putArray("embedding");
                for (float f : vectors.get(i)) {
                    v.add(f);
                }
            }
            tokens += Tokens.estimate(inputs.get(i));
        }
        out.put("model", MODEL);
        out.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
        Json.send(res, Status.OK_200, out);
    }

    private static List<String> inputs(JsonNode input, List<FieldError> errors) {
        List<String> out = new ArrayList<>();
        if (input != null && input.isTextual()) {
            out.add(input.textValue());
        } else if (input != null && input.isArray() && !input.isEmpty() && input.size() <= MAX_INPUTS) {
            for (JsonNode t : input) {
                if (!t.isTextual()) {
                    errors.add(new FieldError("input", "must be a string or an array of strings (token arrays are"
                            + " not supported)"));
                    return List.of();
                }
                out.add(t.textValue());
            }
        } else {
            errors.add(new FieldError("input", "must be a string or an array of 1 to " + MAX_INPUTS + " strings"));
            return List.of();
        }
        if (out.stream().anyMatch(s -> s.isEmpty() || s.length() > MAX_CHARS)) {
            errors.add(new FieldError("input", "each text must have 1 to " + MAX_CHARS + " characters"));
        }
        return out;
    }
}
