package dev.clawless.channel.twilio;

import java.net.URLDecoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.clawless.plugin.api.ChannelException;

/** Strict {@code application/x-www-form-urlencoded} parsing: valid UTF-8, bounded, each name once. */
public final class Forms {

    private static final int MAX_FIELDS = 200;

    private Forms() {
    }

    public static Map<String, String> parse(byte[] body) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new ChannelException.Malformed("the form body is not UTF-8", e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        if (text.isEmpty()) {
            return out;
        }
        List<String> pairs = new ArrayList<>(List.of(text.split("&", -1)));
        if (pairs.size() > MAX_FIELDS) {
            throw new ChannelException.Malformed("more than " + MAX_FIELDS + " form fields", null);
        }
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new ChannelException.Malformed("a form field without a name or value", null);
            }
            try {
                String name = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (out.put(name, value) != null) {
                    throw new ChannelException.Malformed("form field " + name + " given twice", null);
                }
            } catch (IllegalArgumentException e) {
                throw new ChannelException.Malformed("a badly escaped form field", e);
            }
        }
        return out;
    }
}
