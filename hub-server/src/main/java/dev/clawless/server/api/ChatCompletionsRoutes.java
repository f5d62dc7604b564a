package dev.clawless.server.api;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.assistant.AssistantRequest;
import dev.clawless.core.assistant.AssistantRuntime;
import dev.clawless.core.assistant.ChatMessage;
import dev.clawless.core.assistant.Completion;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.security.Secrets;
import dev.clawless.core.tenant.Scope;
import dev.clawless.core.tenant.TenantPrincipal;
import dev.clawless.server.http.Auth;
import dev.clawless.server.http.Bodies;
import dev.clawless.server.http.Json;

/**
 * {@code POST /v1/chat/completions} in the OpenAI wire format, so OpenAI client libraries work against the hub
 * unchanged: a plain answer, or with {@code stream: true} server-sent {@code chat.completion.chunk} events ending
 * with {@code data: [DONE]}. Malformed requests get OpenAI's error body ({@code {"error": {…}}}); fields OpenAI
 * defines that the hub does not use (temperature, max_tokens, …) are accepted and ignored.
 */
public final class ChatCompletionsRoutes {

    private static final int MAX_MESSAGES = 500;
    private static final int MAX_CONTENT_CHARS = 200_000;

    private final AssistantRuntime assistant;
    private final Bodies bodies;
    private final Clock clock;

    public ChatCompletionsRoutes(AssistantRuntime assistant, Bodies bodies, Clock clock) {
        this.assistant = assistant;
        this.bodies = bodies;
        this.clock = clock;
    }

    public void register(dev.clawless.server.http.Routes routes) {
        routes.post("/v1/chat/completions", this::complete);
    }

    /** A chat request as read from the body. */
    private record ChatRequest(String model, List<ChatMessage> messages, boolean stream, boolean includeUsage) {
    }

    private void complete(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CHAT);
        ChatRequest chat;
        AssistantRuntime.Target target;
        try {
            chat = parse(bodies.object(req));
            target = assistant.resolve(p.tenant(), chat.model());
        } catch (ClawlessException.Validation e) {
            openAiError(res, e);
            return;
        }
        AssistantRequest request = new AssistantRequest(p.tenantId(), target.model(), chat.messages());
        String id = "chatcmpl-" + Secrets.randomBase62(24);
        long created = clock.instant().getEpochSecond();
        if (!chat.stream()) {
            Completion c = assistant.complete(target, request, delta -> { });
            ObjectNode body = Json.object();
            body.put("id", id);
            body.put("object", "chat.completion");
            body.put("created", created);
            body.put("model", target.label());
            ObjectNode choice = body.putArray("choices").addObject();
            choice.put("index", 0);
            choice.putObject("message").put("role", "assistant").put("content", c.text());
            choice.putNull("logprobs");
            choice.put("finish_reason", finishReason(c));
            body.set("usage", usage(c));
            Json.send(res, Status.OK_200, body);
            return;
        }
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header(HeaderNames.create("X-Accel-Buffering"), "no");
        try (OutputStream out = res.outputStream()) {
            ObjectNode first = chunk(id, created, target.label());
            first.withArray("choices").addObject().put("index", 0).putNull("finish_reason")
                    .putObject("delta").put("role", "assistant").put("content", "");
            event(out, first.toString());
            Completion c = assistant.complete(target, request, delta -> {
                ObjectNode piece = chunk(id, created, target.label());
                piece.withArray("choices").addObject().put("index", 0).putNull("finish_reason")
                        .putObject("delta").put("content", delta);
                event(out, piece.toString());
            });
            ObjectNode last = chunk(id, created, target.label());
            last.withArray("choices").addObject().put("index", 0).put("finish_reason", finishReason(c))
                    .putObject("delta");
            event(out, last.toString());
            if (chat.includeUsage()) {
                ObjectNode usage = chunk(id, created, target.label());
                usage.putArray("choices");
                usage.set("usage", usage(c));
                event(out, usage.toString());
            }
            event(out, "[DONE]");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String finishReason(Completion c) {
        // OpenAI clients know stop, length, tool_calls, content_filter; a handoff offer is a normal stop for them
        return c.finishReason().equals("length") ? "length" : "stop";
    }

    private static ObjectNode chunk(String id, long created, String model) {
        ObjectNode node = Json.object();
        node.put("id", id);
        node.put("object", "chat.completion.chunk");
        node.put("created", created);
        node.put("model", model);
        node.putArray("choices");
        return node;
    }

    private static ObjectNode usage(Completion c) {
        return Json.object().put("prompt_tokens", c.tokensIn()).put("completion_tokens", c.tokensOut())
                .put("total_tokens", c.tokensIn() + c.tokensOut());
    }

    private static void event(OutputStream out, String data) {
        try {
            out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ChatRequest parse(ObjectNode body) {
        List<ClawlessException.FieldError> errors = new ArrayList<>();
        String model = "";
        JsonNode m = body.get("model");
        if (m != null && !m.isNull()) {
            if (!m.isTextual() || m.textValue().length() > 200) {
                errors.add(new ClawlessException.FieldError("model", "must be a string of at most 200 characters"));
            } else {
                model = m.textValue();
            }
        }
        boolean stream = flag(body, "stream", errors);
        boolean includeUsage = false;
        JsonNode options = body.get("stream_options");
        if (options != null && !options.isNull()) {
            if (!options.isObject()) {
                errors.add(new ClawlessException.FieldError("stream_options", "must be an object"));
            } else {
                includeUsage = flag((ObjectNode) options, "include_usage", errors);
            }
        }
        JsonNode n = body.get("n");
        if (n != null && !n.isNull() && !(n.isIntegralNumber() && n.asInt() == 1)) {
            errors.add(new ClawlessException.FieldError("n", "only 1 is supported"));
        }
        if (body.has("session_id")) {
            errors.add(new ClawlessException.FieldError("session_id", "sessions are not available on this hub yet"));
        }
        List<ChatMessage> messages = messages(body.get("messages"), errors);
        if (!errors.isEmpty()) {
            throw ClawlessException.Validation.of(errors);
        }
        return new ChatRequest(model, messages, stream, includeUsage);
    }

    private static boolean flag(ObjectNode node, String field, List<ClawlessException.FieldError> errors) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            errors.add(new ClawlessException.FieldError(field, "must be true or false"));
            return false;
        }
        return v.booleanValue();
    }

    private static List<ChatMessage> messages(JsonNode array, List<ClawlessException.FieldError> errors) {
        if (array == null || !array.isArray() || array.isEmpty()) {
            errors.add(new ClawlessException.FieldError("messages", "must be a non-empty array of messages"));
            return List.of();
        }
        if (array.size() > MAX_MESSAGES) {
            errors.add(new ClawlessException.FieldError("messages", "must have at most " + MAX_MESSAGES + " messages"));
            return List.of();
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            String at = "messages[" + i + "]";
            JsonNode msg = array.get(i);
            if (!msg.isObject()) {
                errors.add(new ClawlessException.FieldError(at, "must be an object with role and content"));
                continue;
            }
            String role = msg.path("role").asText("");
            Optional<ChatMessage.Role> r = switch (role) {
                case "system", "developer" -> Optional.of(ChatMessage.Role.SYSTEM);
                case "user" -> Optional.of(ChatMessage.Role.USER);
                case "assistant" -> Optional.of(ChatMessage.Role.ASSISTANT);
                case "tool" -> Optional.empty();
                default -> {
                    errors.add(new ClawlessException.FieldError(at + ".role",
                            "must be system, developer, user, assistant or tool"));
                    yield Optional.empty();
                }
            };
            Optional<String> content = content(msg.get("content"), at + ".content", errors);
            if (r.isPresent() && content.isPresent()) {
                out.add(new ChatMessage(r.get(), content.get()));
            }
        }
        if (errors.isEmpty() && out.stream().noneMatch(c -> c.role() == ChatMessage.Role.USER)) {
            errors.add(new ClawlessException.FieldError("messages", "must contain a user message"));
        }
        return out;
    }

    /** String content, or an array of parts of which the {@code text} parts are joined. */
    private static Optional<String> content(JsonNode content, String at, List<ClawlessException.FieldError> errors) {
        if (content == null || content.isNull()) {
            return Optional.of("");
        }
        if (content.isTextual()) {
            if (content.textValue().length() > MAX_CONTENT_CHARS) {
                errors.add(new ClawlessException.FieldError(at, "must be at most " + MAX_CONTENT_CHARS + " characters"));
                return Optional.empty();
            }
            return Optional.of(content.textValue());
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (!part.isObject() || !part.path("type").isTextual()) {
                    errors.add(new ClawlessException.FieldError(at, "parts must be objects with a type"));
                    return Optional.empty();
                }
                if (part.get("type").asText().equals("text") && part.path("text").isTextual()) {
                    if (!text.isEmpty()) {
                        text.append('\n');
                    }
                    text.append(part.get("text").textValue());
                }
            }
            return Optional.of(text.toString());
        }
        errors.add(new ClawlessException.FieldError(at, "must be a string or an array of content parts"));
        return Optional.empty();
    }

    /** OpenAI's error shape, which OpenAI clients parse into their exceptions. */
    private static void openAiError(ServerResponse res, ClawlessException.Validation e) {
        ObjectNode body = Json.object();
        ObjectNode error = body.putObject("error");
        error.put("message", e.detail());
        error.put("type", "invalid_request_error");
        String param = e.errors().isEmpty() ? null : e.errors().get(0).field();
        error.put("param", param);
        error.putNull("code");
        var details = error.putArray("errors");
        e.errors().forEach(f -> details.addObject().put("field", f.field()).put("message", f.message()));
        Json.send(res, Status.BAD_REQUEST_400, body);
    }
}
