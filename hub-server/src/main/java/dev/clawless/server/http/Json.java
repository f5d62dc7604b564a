package dev.clawless.server.http;

import java.time.Instant;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.common.JsonMappers;

/**
 * JSON in and out. The mapper is strict: duplicate keys and text after the value are errors, big numbers stay exact.
 */
public final class Json {

    public static final ObjectMapper MAPPER = JsonMappers.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonParser.Feature.ALLOW_COMMENTS)
            .build();

    private Json() {
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** RFC 3339 UTC timestamp. */
    public static String time(Instant instant) {
        return instant.toString();
    }

    /** Puts an optional instant as a timestamp or {@code null}. */
    public static void putTime(ObjectNode node, String field, Optional<Instant> instant) {
        if (instant.isPresent()) {
            node.put(field, time(instant.get()));
        } else {
            node.putNull(field);
        }
    }

    /** Sends {@code body} as {@code application/json} with {@code status}. */
    public static void send(ServerResponse res, Status status, JsonNode body) {
        byte[] bytes;
        try {
            bytes = MAPPER.writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(bytes);
    }
}
