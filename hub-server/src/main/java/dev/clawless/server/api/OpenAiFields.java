package dev.clawless.server.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.core.assistant.Sampling;
import dev.clawless.core.common.ClawlessException.FieldError;

/**
 * The request fields of OpenAI's Chat Completions API beyond model, messages and streaming: each is either honoured
 * (the sampling fields, passed to the provider; tools and the reply format, read by {@link OpenAiTools} and
 * {@link OpenAiReplyFormat}) or refused with a 400 naming it — never silently dropped. Fields OpenAI does not define
 * are refused as OpenAI refuses them ("Unrecognized request argument").
 */
final class OpenAiFields {

    /** Fields read by ChatCompletionsRoutes itself. */
    static final Set<String> HANDLED = Set.of("model", "messages", "stream", "stream_options", "n", "session_id",
            "tools", "tool_choice", "parallel_tool_calls", "response_format");
    /** Honoured: passed to LLM providers (see {@link Sampling}). */
    static final Set<String> SAMPLING = Set.of("temperature", "top_p", "max_tokens", "max_completion_tokens", "stop",
            "seed", "presence_penalty", "frequency_penalty", "user");
    /** Accepted at their neutral value only; any other value is refused. */
    static final Set<String> NEUTRAL = Set.of("logprobs", "top_logprobs", "logit_bias", "store",
            "metadata", "service_tier", "modalities", "functions", "function_call", "audio", "prediction",
            "reasoning_effort", "web_search_options", "verbosity",
            "prompt_cache_key", "safety_identifier");

    private OpenAiFields() {
    }

    /** The sampling the request asks for; every other field is checked and refused unless neutral. */
    static Sampling read(ObjectNode body, List<FieldError> errors) {
        body.fieldNames().forEachRemaining(name -> {
            if (!HANDLED.contains(name) && !SAMPLING.contains(name) && !NEUTRAL.contains(name)) {
                errors.add(new FieldError(Inputs.printable(name), "Unrecognized request argument supplied: "
                        + Inputs.printable(name)));
            }
        });
        NEUTRAL.forEach(name -> {
            JsonNode v = body.get(name);
            if (v != null && !neutral(name, v)) {
                errors.add(new FieldError(name, refusal(name)));
            }
        });
        Optional<Double> temperature = number(body, "temperature", 0, 2, errors);
        Optional<Double> topP = number(body, "top_p", 0, 1, errors);
        Optional<Double> presence = number(body, "presence_penalty", -2, 2, errors);
        Optional<Double> frequency = number(body, "frequency_penalty", -2, 2, errors);
        Optional<Integer> maxTokens = integer(body, "max_completion_tokens", 1, 1_000_000, errors)
                .or(() -> integer(body, "max_tokens", 1, 1_000_000, errors));
        Optional<Integer> seed = integer(body, "seed", Integer.MIN_VALUE, Integer.MAX_VALUE, errors);
        List<String> stop = stop(body.get("stop"), errors);
        Optional<String> user = Optional.empty();
        JsonNode u = body.get("user");
        if (u != null && !u.isNull()) {
            if (!u.isTextual() || u.textValue().length() > 256) {
                errors.add(new FieldError("user", "must be a string of at most 256 characters"));
            } else {
                user = Optional.of(u.textValue());
            }
        }
        return new Sampling(temperature, topP, maxTokens, stop, seed, presence, frequency, user);
    }

    private static boolean neutral(String name, JsonNode v) {
        if (v.isNull()) {
            return true;
        }
        return switch (name) {
            case "logprobs", "store" -> v.isBoolean() && !v.booleanValue();
            case "top_logprobs" -> v.isInt() && v.intValue() == 0;
            case "logit_bias", "metadata" -> v.isObject() && v.isEmpty();
            case "functions" -> v.isArray() && v.isEmpty();
            case "function_call" -> v.isTextual() && (v.textValue().equals("none")
                    || v.textValue().equals("auto"));
            case "service_tier" -> v.isTextual() && (v.textValue().equals("auto") || v.textValue().equals("default"));
            case "modalities" -> v.isArray() && v.size() == 1 && v.get(0).asText().equals("text");
            default -> false;
        };
    }

    private static String refusal(String name) {
        return switch (name) {
            case "functions", "function_call" -> "the deprecated functions API is not supported; use tools and"
                    + " tool_choice";
            case "logprobs", "top_logprobs" -> "log probabilities are not available";
            case "store", "metadata" -> "the hub does not store completions for OpenAI's dashboard";
            default -> "'" + name + "' is not supported by this hub";
        };
    }

    private static Optional<Double> number(ObjectNode body, String field, double min, double max,
                                           List<FieldError> errors) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isNumber() || v.doubleValue() < min || v.doubleValue() > max) {
            errors.add(new FieldError(field, "must be a number from " + fmt(min) + " to " + fmt(max)));
            return Optional.empty();
        }
        return Optional.of(v.doubleValue());
    }

    private static Optional<Integer> integer(ObjectNode body, String field, int min, int max,
                                             List<FieldError> errors) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.intValue() < min || v.intValue() > max) {
            errors.add(new FieldError(field, "must be an integer from " + min + " to " + max));
            return Optional.empty();
        }
        return Optional.of(v.intValue());
    }

    private static List<String> stop(JsonNode v, List<FieldError> errors) {
        if (v == null || v.isNull()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (v.isTextual()) {
            out.add(v.textValue());
        } else if (v.isArray() && v.size() <= 4) {
            v.forEach(s -> out.add(s.isTextual() ? s.textValue() : ""));
        }
        if (out.isEmpty() || out.stream().anyMatch(s -> s.isEmpty() || s.length() > 200)) {
            errors.add(new FieldError("stop", "must be a string or up to 4 strings, none empty"));
            return List.of();
        }
        return out;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
