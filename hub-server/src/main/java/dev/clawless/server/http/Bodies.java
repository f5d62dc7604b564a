package dev.clawless.server.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.Texts;

/**
 * Reads request bodies within a byte limit. A declared {@code Content-Length} over the limit is refused before a
 * byte is read; a chunked body is read only up to one byte past the limit.
 */
public final class Bodies {

    private final long maxBytes;

    public Bodies(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The route's JSON object body; 415 unless it is JSON, 400 when it is not one JSON object. */
    public ObjectNode object(ServerRequest req) {
        return optionalObject(req).orElseThrow(() -> ClawlessException.Validation.of("body",
                "a JSON object is required"));
    }

    /** The JSON object body, or empty when the request has no body at all. */
    public Optional<ObjectNode> optionalObject(ServerRequest req) {
        long declared = req.headers().contentLength().orElse(-1L);
        boolean chunked = req.headers().contains(HeaderNames.TRANSFER_ENCODING);
        if (declared == 0 || (declared < 0 && !chunked)) {
            return Optional.empty();
        }
        requireJson(req);
        byte[] bytes = read(req, declared);
        if (bytes.length == 0) {
            return Optional.empty();
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr();
            String reason = String.valueOf(e.getOriginalMessage()).replaceAll("\\s+", " ");
            throw ClawlessException.Validation.of("body", "malformed JSON" + where + ": "
                    + reason.substring(0, Math.min(200, reason.length())));
        } catch (IOException e) {
            throw ClawlessException.Validation.of("body", "not readable as UTF-8 JSON");
        }
        if (node == null || !node.isObject()) {
            throw ClawlessException.Validation.of("body", "must be a JSON object");
        }
        storable(node);
        return Optional.of((ObjectNode) node);
    }

    /**
     * Makes every string in the tree storable ({@link Texts#clean}): JSON may carry NUL and lone surrogates as
     * escapes, which no route should have to think about.
     */
    private static void storable(JsonNode node) {
        if (node instanceof ObjectNode object) {
            var fields = object.fields();
            List<Map.Entry<String, JsonNode>> replaced = new ArrayList<>();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                if (f.getValue().isTextual()) {
                    String text = f.getValue().textValue();
                    String clean = Texts.clean(text);
                    if (!clean.equals(text)) {
                        replaced.add(Map.entry(f.getKey(), TextNode.valueOf(clean)));
                    }
                } else {
                    storable(f.getValue());
                }
            }
            replaced.forEach(e -> object.set(e.getKey(), e.getValue()));
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode item = array.get(i);
                if (item.isTextual()) {
                    String clean = Texts.clean(item.textValue());
                    if (!clean.equals(item.textValue())) {
                        array.set(i, TextNode.valueOf(clean));
                    }
                } else {
                    storable(item);
                }
            }
        }
    }

    /** The raw body bytes (empty when there is none), read up to the size limit; for signature checks. */
    public byte[] raw(ServerRequest req) {
        long declared = req.headers().contentLength().orElse(-1L);
        boolean chunked = req.headers().contains(HeaderNames.TRANSFER_ENCODING);
        if (declared == 0 || (declared < 0 && !chunked)) {
            return new byte[0];
        }
        return read(req, declared);
    }

    private static void requireJson(ServerRequest req) {
        String type = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("").toLowerCase(Locale.ROOT);
        String base = type.split(";", 2)[0].strip();
        if (!(base.equals("application/json") || (base.startsWith("application/") && base.endsWith("+json")))) {
            throw new ClawlessException.UnsupportedMediaType("send the body as Content-Type: application/json"
                    + (base.isEmpty() ? "" : " (got " + base.substring(0, Math.min(80, base.length())) + ")"));
        }
    }

    private byte[] read(ServerRequest req, long declared) {
        if (declared > maxBytes) {
            throw tooLarge();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.max(0, Math.min(declared, 64 * 1024)));
        byte[] buffer = new byte[8192];
        long total = 0;
        try (InputStream in = req.content().inputStream()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > maxBytes) {
                    throw tooLarge();
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (io.helidon.http.RequestException e) {
            if (e.status().code() == 413) {
                throw tooLarge();
            }
            throw ClawlessException.Validation.of("body", "the body could not be read");
        }
        return out.toByteArray();
    }

    private ClawlessException.PayloadTooLarge tooLarge() {
        return new ClawlessException.PayloadTooLarge("the request body is larger than " + maxBytes + " bytes");
    }
}
