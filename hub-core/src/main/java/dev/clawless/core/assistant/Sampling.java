package dev.clawless.core.assistant;

import java.util.List;
import java.util.Optional;

/**
 * How a client asked the model to write: OpenAI's sampling fields, passed to LLM providers as they are. The embedded
 * retrieval assistant, which writes no text of its own, applies {@code maxTokens} and {@code stop} to its answer and
 * has nothing to sample (it is deterministic, whatever the temperature or seed).
 */
public record Sampling(Optional<Double> temperature, Optional<Double> topP, Optional<Integer> maxTokens,
                       List<String> stop, Optional<Integer> seed, Optional<Double> presencePenalty,
                       Optional<Double> frequencyPenalty, Optional<String> user) {

    public static final Sampling NONE = new Sampling(Optional.empty(), Optional.empty(), Optional.empty(), List.of(),
            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    public Sampling {
        stop = List.copyOf(stop);
    }

    /** The fields set, by their OpenAI names (for refusing the ones a provider cannot honour). */
    public List<String> fieldsSet() {
        List<String> out = new java.util.ArrayList<>();
        temperature.ifPresent(x -> out.add("temperature"));
        topP.ifPresent(x -> out.add("top_p"));
        maxTokens.ifPresent(x -> out.add("max_tokens"));
        if (!stop.isEmpty()) {
            out.add("stop");
        }
        seed.ifPresent(x -> out.add("seed"));
        presencePenalty.ifPresent(x -> out.add("presence_penalty"));
        frequencyPenalty.ifPresent(x -> out.add("frequency_penalty"));
        user.ifPresent(x -> out.add("user"));
        return out;
    }

    /**
     * A finished text cut where a stop sequence begins and to at most {@code maxTokens} (estimated as the hub
     * estimates tokens: about four characters each); {@code cut} tells whether the length limit did it.
     */
    public Cut cut(String text) {
        String out = text;
        for (String s : stop) {
            int at = s.isEmpty() ? -1 : out.indexOf(s);
            if (at >= 0) {
                out = out.substring(0, at);
            }
        }
        if (maxTokens.isPresent() && Tokens.estimate(out) > maxTokens.get()) {
            int chars = Math.max(0, maxTokens.get() * 4);
            out = out.substring(0, Math.min(out.length(), chars));
            return new Cut(out, true);
        }
        return new Cut(out, false);
    }

    /** A text after {@link #cut}. */
    public record Cut(String text, boolean byLength) {
    }
}
