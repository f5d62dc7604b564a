package dev.clawless.channel.metagraph;

import java.util.Optional;

import dev.clawless.plugin.api.ChannelConnection;
import dev.clawless.plugin.api.ChannelException;
import dev.clawless.plugin.api.HookReply;
import dev.clawless.plugin.api.InboundRequest;
import dev.clawless.plugin.api.Signatures;

/**
 * Meta's webhook rules, the same for WhatsApp Cloud, Messenger and Instagram: the {@code GET} subscription challenge
 * ({@code hub.mode=subscribe}, the connection's {@code verify_token}, {@code hub.challenge} echoed back) and event
 * requests signed {@code X-Hub-Signature-256: sha256=<hex hmac(app secret, raw body)>}.
 */
public final class MetaWebhooks {

    private MetaWebhooks() {
    }

    /** Answers the subscription challenge of a {@code GET}; empty for an event request. */
    public static Optional<HookReply> handshake(InboundRequest request, ChannelConnection c) {
        if (!request.method().equals("GET")) {
            return Optional.empty();
        }
        String mode = request.queryParam("hub.mode").orElse("");
        String token = request.queryParam("hub.verify_token").orElse("");
        String challenge = request.queryParam("hub.challenge").orElse("");
        if (!mode.equals("subscribe") || !Signatures.constantTimeEquals(c.secret("verify_token").orElse(null), token)) {
            throw new ChannelException.Unverified("hub.mode must be subscribe and hub.verify_token must match");
        }
        if (!challenge.matches("[A-Za-z0-9_-]{1,200}")) {
            throw new ChannelException.Malformed("hub.challenge is missing or not a token", null);
        }
        return Optional.of(HookReply.text(challenge));
    }

    /** Checks {@code X-Hub-Signature-256} over the raw body with the connection's {@code app_secret}. */
    public static void verify(InboundRequest request, ChannelConnection c) {
        Signatures.requireSha256Body(request, "X-Hub-Signature-256", c.secret("app_secret"));
    }

    /** The secret {@code name}, or a refusal naming it for the connection's setup. */
    public static String need(ChannelConnection c, String name, String what) {
        return c.secret(name).filter(s -> !s.isBlank()).orElseThrow(() -> new ChannelException.Malformed(
                what + " needs the secret " + name, null));
    }
}
