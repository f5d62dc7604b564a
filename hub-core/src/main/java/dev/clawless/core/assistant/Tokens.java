package dev.clawless.core.assistant;

import java.util.List;

/** Token estimates for providers that do not count (about four characters a token, as for English BPE models). */
public final class Tokens {

    private Tokens() {
    }

    public static int estimate(String text) {
        return text.isEmpty() ? 0 : Math.max(1, (text.length() + 3) / 4);
    }

    public static int estimate(List<ChatMessage> messages) {
        int total = 0;
        for (ChatMessage m : messages) {
            total += 4 + estimate(m.content());
        }
        return total;
    }
}
