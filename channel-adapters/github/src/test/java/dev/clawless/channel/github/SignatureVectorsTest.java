package dev.clawless.channel.github;

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

/** X-Hub-Signature-256 against vectors computed with openssl (and GitHub's own documented example). */
class SignatureVectorsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final GitHubChannel channel = new GitHubChannel();

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = SignatureVectorsTest.class.getResourceAsStream("/fixtures/github/" + name)) {
            return in.readAllBytes();
        }
    }

    private static ChannelConnection connection(String secret) {
        return new ChannelConnection("con_1", "ten_1", "github", Map.of("bot_login", "clawless-bot"),
                Map.of("webhook_secret", secret, "token", "t"), "https://hub.example/hooks/con_1");
    }

    private static InboundRequest request(byte[] body, String signature) {
        return new InboundRequest("POST", "https://hub.example/hooks/con_1",
                Map.of("X-Hub-Signature-256", List.of(signature)), Map.of(), body);
    }

    @Test
    void openSslVectorsVerifyAndSwappedOnesDoNot() throws IOException {
        JsonNode v = JSON.readTree(fixture("signature_vectors.json"));
        JsonNode docs = v.get("docs_vector");
        channel.verify(request(fixture(docs.get("body_file").asText()), docs.get("expected").asText()),
                connection(docs.get("secret").asText()));
        String previous = docs.get("expected").asText();
        int n = 0;
        for (var it = v.get("fixtures").fields(); it.hasNext(); n++) {
            var e = it.next();
            byte[] body = fixture(e.getKey());
            ChannelConnection c = connection(e.getValue().get("secret").asText());
            String expected = e.getValue().get("expected").asText();
            channel.verify(request(body, expected), c);
            String replayed = previous;
            assertThrows(ChannelException.Unverified.class, () -> channel.verify(request(body, replayed), c));
            assertThrows(ChannelException.Unverified.class, () -> channel.verify(request(body, expected),
                    connection("another secret")));
            previous = expected;
        }
        assertEquals(10, n);
    }
}
