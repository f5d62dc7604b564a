package dev.clawless.channel.metagraph;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.clawless.plugin.api.ChannelException;

/** Strict reads of Meta's webhook JSON: a wrong type or size is a {@link ChannelException.Malformed} (400). */
public final class GraphJson {

    private GraphJson() {
    }

    /** The array {@code field} (at most 1000 items), empty when absent or null. */
    public static Iterable<JsonNode> array(JsonNode node, String field) {
        JsonNode a = node.path(field);
        if (a.isMissingNode() || a.isNull()) {
            return List.of();
        }
        if (!a.isArray() || a.size() > 1000) {
            throw new ChannelException.Malformed(field + " must be an array", null);
        }
        return a;
    }

    /** The string {@code field} of at most {@code max} characters, null when absent or null. */
    public static String text(JsonNode node, String field, int max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.asText().length() > max) {
            throw new ChannelException.Malformed(field + " must be a string of at most " + max + " characters",
                    null);
        }
        return v.asText();
    }
}
