package dev.clawless.core.marketplace.sandbox;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import dev.clawless.plugin.api.DeliveryUpdate;
import dev.clawless.plugin.api.InboundEvent;
import dev.clawless.plugin.api.InboundMessage;

/**
 * The sandbox's wire format: frames of a 4-byte big-endian length followed by that many bytes of JSON (Jackson,
 * with the JDK's {@code Optional} and time types), one {@link Frame} each. A frame over {@link #MAX_FRAME} bytes
 * ends the connection: the hub never reads an unbounded answer from a plugin.
 */
public final class Wire {

    /** The largest frame either side accepts. */
    public static final int MAX_FRAME = 48 * 1024 * 1024;

    /** The mapper for frames and the plugin API's records. */
    public static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            // a frame is a few thousand tokens; a frame of millions of tiny ones would cost the hub its memory
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                    .maxTokenCount(500_000).maxNestingDepth(64).maxStringLength(MAX_FRAME).build())
            .build())
            .registerModule(new Jdk8Module())
            .registerModule(new JavaTimeModule())
            .addMixIn(InboundEvent.class, InboundEventMixin.class)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private Wire() {
    }

    /**
     * One message: a call ({@code op = "call"}, with a method and a body) or the reply to one ({@code op = "reply"},
     * with a body or a fault). {@code ctx} names the tool call a callback belongs to.
     */
    public record Frame(long id, String op, String method, JsonNode body, String ctx, Fault fault) {

        static Frame call(long id, String method, JsonNode body, String ctx) {
            return new Frame(id, "call", method, body, ctx, null);
        }

        static Frame reply(long id, JsonNode body) {
            return new Frame(id, "reply", null, body, null, null);
        }

        static Frame failed(long id, Fault fault) {
            return new Frame(id, "reply", null, null, null, fault);
        }
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "@type")
    @JsonSubTypes({@JsonSubTypes.Type(value = InboundMessage.class, name = "message"),
            @JsonSubTypes.Type(value = DeliveryUpdate.class, name = "delivery")})
    private interface InboundEventMixin {
    }

    /** Reads one frame, or throws {@link EOFException} at the end of the stream. */
    static Frame read(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length <= 0 || length > MAX_FRAME) {
            throw new IOException("a frame of " + length + " bytes (at most " + MAX_FRAME + ")");
        }
        byte[] bytes = in.readNBytes(length);
        if (bytes.length < length) {
            throw new EOFException("the stream ended inside a frame");
        }
        return JSON.readValue(bytes, Frame.class);
    }

    /** Writes one frame; callers serialise writes on the stream. */
    static void write(DataOutputStream out, Frame frame) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(frame);
        if (bytes.length > MAX_FRAME) {
            throw new IOException("a frame of " + bytes.length + " bytes (at most " + MAX_FRAME + ")");
        }
        out.writeInt(bytes.length);
        out.write(bytes);
        out.flush();
    }
}
