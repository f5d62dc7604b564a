package dev.clawless.channel.whatsapp;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import dev.clawless.plugin.api.ChannelConnection;
import dev.clawless.plugin.api.ChannelException;
import dev.clawless.plugin.api.InboundRequest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Signatures against vectors computed outside Java (Python {@code hmac}, {@code openssl dgst}), stored with the
 * fixtures: one valid per fixture, and every fixture with another's signature refused.
 */
class SignatureVectorsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final WhatsAppChannel channel = new WhatsAppChannel();

    private static byte[] fixture(String path) throws IOException {
        try (InputStream in = SignatureVectorsTest.class.getResourceAsStream("/fixtures/" + path)) {
            return in.readAllBytes();
        }
    }

    private static InboundRequest request(String url, String contentType, byte[] body, String header, String value) {
        return new InboundRequest("POST", url, Map.of("Content-Type", List.of(contentType), header, List.of(value)),
                Map.of(), body);
    }

    @Test
    void twilioVectors() throws IOException {
        JsonNode v = JSON.readTree(fixture("twilio/signatures.json"));
        ChannelConnection c = new ChannelConnection("con_1", "ten_1", "whatsapp", Map.of("provider", "twilio"),
                Map.of("account_sid", "AC4f1c2b7e9d3a5b6c8e0f1a2b3c4d5e6f", "auth_token", v.get("authToken").asText()),
                "https://hub.example.com/hooks/con_1");
        String previous = null;
        int n = 0;
        for (JsonNode vector : v.get("vectors")) {
            byte[] body = fixture("twilio/" + vector.get("file").asText());
            String url = vector.get("url").asText();
            String signature = vector.get("X-Twilio-Signature").asText();
            channel.verify(request(url, "application/x-www-form-urlencoded", body, "X-Twilio-Signature", signature),
                    c);
            if (previous != null) {
                String replayed = previous;
                assertThrows(ChannelException.Unverified.class, () -> channel.verify(request(url,
                        "application/x-www-form-urlencoded", body, "X-Twilio-Signature", replayed), c));
            }
            assertThrows(ChannelException.Unverified.class, () -> channel.verify(request(url + "x",
                    "application/x-www-form-urlencoded", body, "X-Twilio-Signature", signature), c));
            previous = signature;
            n++;
        }
        assertEquals(10, n);
    }

    @Test
    void metaVectors() throws IOException {
        JsonNode v = JSON.readTree(fixture("meta/signatures.json"));
        ChannelConnection c = new ChannelConnection("con_1", "ten_1", "whatsapp",
                Map.of("provider", "meta", "phone_number_id", "106540352242922"),
                Map.of("app_secret", v.get("appSecret").asText(), "access_token", "t", "verify_token", "v"),
                "https://hub.example.com/hooks/con_1");
        String previous = null;
        int n = 0;
        for (JsonNode vector : v.get("vectors")) {
            byte[] body = fixture("meta/" + vector.get("file").asText());
            String signature = vector.get("X-Hub-Signature-256").asText();
            channel.verify(request(c.webhookUrl(), "application/json", body, "X-Hub-Signature-256", signature), c);
            if (previous != null) {
                String replayed = previous;
                assertThrows(ChannelException.Unverified.class, () -> channel.verify(request(c.webhookUrl(),
                        "application/json", body, "X-Hub-Signature-256", replayed), c));
            }
            previous = signature;
            n++;
        }
        assertEquals(18, n);
    }
}
