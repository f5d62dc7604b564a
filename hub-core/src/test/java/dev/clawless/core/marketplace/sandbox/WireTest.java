package dev.clawless.core.marketplace.sandbox;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import dev.clawless.plugin.api.Attachment;
import dev.clawless.plugin.api.ChannelConnection;
import dev.clawless.plugin.api.ChannelException;
import dev.clawless.plugin.api.ChannelExtension;
import dev.clawless.plugin.api.ChatType;
import dev.clawless.plugin.api.DeliveryStatus;
import dev.clawless.plugin.api.DeliveryUpdate;
import dev.clawless.plugin.api.InboundEvent;
import dev.clawless.plugin.api.InboundMessage;
import dev.clawless.plugin.api.InboundRequest;
import dev.clawless.plugin.api.OutboundMessage;
import dev.clawless.plugin.api.Participant;
import dev.clawless.plugin.api.Poll;
import dev.clawless.plugin.api.QuickReply;
import dev.clawless.plugin.api.SendResult;
import dev.clawless.plugin.api.SentCheck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every type the plugin API passes across the sandbox's pipe comes back equal, and frames are bounded. */
class WireTest {

    private static <T> T roundTrip(Object value, TypeReference<T> type) throws IOException {
        JsonNode boxed = SandboxChild.boxed(value);
        byte[] bytes = Wire.JSON.writeValueAsBytes(boxed);
        JsonNode read = Wire.JSON.readTree(bytes).path("value");
        return Wire.JSON.readValue(Wire.JSON.treeAsTokens(read), Wire.JSON.getTypeFactory().constructType(type));
    }

    @Test
    void theChannelTypesComeBackEqual() throws IOException {
        Attachment photo = new Attachment(Attachment.Kind.IMAGE, Optional.of("https://x/y.png"),
                Optional.of("image/png"), Optional.empty(), OptionalLong.of(42), Optional.of("F1"));
        InboundMessage message = new InboundMessage("slack", "chn_1", "m1", "C1:1.2",
                new Participant("U1", Optional.of("Ana"), Optional.empty()), "hola ünïcode", List.of(photo),
                Instant.parse("2026-12-06T10:00:00Z"), ChatType.GROUP, Optional.of("m0"), true, Map.of("k", "v"));
        DeliveryUpdate read = new DeliveryUpdate("chn_1", "m2", DeliveryStatus.READ, Instant.EPOCH, Optional.empty());
        List<InboundEvent> events = roundTrip(List.of(message, read), new TypeReference<List<InboundEvent>>() { });
        assertEquals(List.of(message, read), events);

        Optional<ChannelExtension.ReplayKey> key = Optional.of(new ChannelExtension.ReplayKey("Ev1",
                Duration.ofHours(1)));
        assertEquals(key, roundTrip(key, new TypeReference<Optional<ChannelExtension.ReplayKey>>() { }));
        assertEquals(Optional.empty(), roundTrip(Optional.empty(),
                new TypeReference<Optional<ChannelExtension.ReplayKey>>() { }));

        SendResult sent = new SendResult(List.of("a", "b"), DeliveryStatus.SENT);
        assertEquals(SentCheck.sent(sent), roundTrip(SentCheck.sent(sent), new TypeReference<SentCheck>() { }));
        Poll poll = new Poll(List.of(message), Optional.of("cursor-9"), List.of("r1"));
        assertEquals(poll, roundTrip(poll, new TypeReference<Poll>() { }));

        byte[] body = {0, 1, 2, (byte) 0xff};
        InboundRequest request = new InboundRequest("POST", "https://hub/hooks/x", Map.of("X-Sig", List.of("s")),
                Map.of("q", List.of("1")), body);
        InboundRequest back = roundTrip(request, new TypeReference<InboundRequest>() { });
        assertArrayEquals(body, back.body());
        assertEquals(Optional.of("s"), back.header("x-sig"));

        ChannelExtension.Media media = new ChannelExtension.Media("image/png", body, "a.png");
        assertArrayEquals(body, roundTrip(media, new TypeReference<ChannelExtension.Media>() { }).bytes());

        OutboundMessage out = new OutboundMessage("cnv_1", "msg_1", "C1", "hi", List.of(photo),
                List.of(new QuickReply("Yes", "yes")), Optional.empty(), Map.of(), List.of(media));
        OutboundMessage outBack = roundTrip(out, new TypeReference<OutboundMessage>() { });
        assertEquals(out.quickReplies(), outBack.quickReplies());
        assertEquals(out.attachments(), outBack.attachments());

        ChannelConnection connection = new ChannelConnection("chn_1", "ten_1", "slack", Map.of("a", "b"),
                Map.of("token", "t"), "https://hub/hooks/chn_1");
        assertEquals(connection, roundTrip(connection, new TypeReference<ChannelConnection>() { }));
        ChannelExtension.NewThread thread = new ChannelExtension.NewThread("k", Participant.of("p"), Map.of("h", "1"),
                Optional.empty());
        assertEquals(thread, roundTrip(thread, new TypeReference<ChannelExtension.NewThread>() { }));
    }

    @Test
    void aChannelsRefusalsKeepTheirMeaningAcrossThePipe() {
        ChannelException.SendFailed failed = new ChannelException.SendFailed("rate limited", 429, true,
                Optional.of(Duration.ofSeconds(7)), Optional.of("ratelimited"), null);
        ChannelException.SendFailed back = assertInstanceOf(ChannelException.SendFailed.class,
                Fault.of(failed).toException());
        assertEquals(429, back.status());
        assertEquals(Optional.of(Duration.ofSeconds(7)), back.retryAfter());
        assertInstanceOf(ChannelException.Unverified.class, Fault.of(new ChannelException.Unverified("bad"))
                .toException());
        assertInstanceOf(ChannelException.Malformed.class, Fault.of(new ChannelException.Malformed("x", null))
                .toException());
        assertEquals(Duration.ofSeconds(3), assertInstanceOf(ChannelException.Throttled.class,
                Fault.of(new ChannelException.Throttled("slow", Duration.ofSeconds(3))).toException()).waitFor());
        assertInstanceOf(SecurityException.class, Fault.of(new SecurityException("no")).toException());
    }

    @Test
    void aFrameOverTheLimitEndsTheConnection() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new DataOutputStream(bytes).writeInt(Wire.MAX_FRAME + 1);
        assertThrows(IOException.class, () -> Wire.read(new DataInputStream(new ByteArrayInputStream(
                bytes.toByteArray()))));
        ByteArrayOutputStream ok = new ByteArrayOutputStream();
        Wire.write(new DataOutputStream(ok), Wire.Frame.call(7, "tool.invoke", Wire.JSON.createObjectNode(), "c"));
        assertEquals("tool.invoke", Wire.read(new DataInputStream(new ByteArrayInputStream(ok.toByteArray())))
                .method());
    }
}
