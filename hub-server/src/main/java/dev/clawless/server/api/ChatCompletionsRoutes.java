package dev.clawless.server.api;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.assistant.AssistantRequest;
import dev.clawless.core.assistant.AssistantRuntime;
import dev.clawless.core.assistant.ChatMessage;
import dev.clawless.core.assistant.LangChainProvider;
import dev.clawless.core.assistant.RetrievalProvider;
import dev.clawless.core.assistant.RoutingRules;
import dev.clawless.core.assistant.Sampling;
import dev.clawless.core.assistant.Completion;
import dev.clawless.core.assistant.TurnStreams;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.conversation.Conversation;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.conversation.ConversationStatus;
import dev.clawless.core.conversation.Ingested;
import dev.clawless.core.conversation.Message;
import dev.clawless.core.security.Secrets;
import dev.clawless.core.tenant.Scope;
import dev.clawless.core.tenant.TenantManagement;
import dev.clawless.core.tenant.TenantPrincipal;
import dev.clawless.core.usage.UsageMeter;
import dev.clawless.plugin.api.InboundMessage;
import dev.clawless.plugin.api.Participant;
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
    /** How long a session request waits for its turn before answering 504 (the turn still completes later). */
    private static final Duration TURN_TIMEOUT = Duration.ofSeconds(120);

    private final AssistantRuntime assistant;
    private final ConversationManagement conversations;
    private final TurnStreams turns;
    private final Runnable wakeWorker;
    private final UsageMeter usage;
    private final TenantManagement tenants;
    private final Bodies bodies;
    private final Clock clock;

    public ChatCompletionsRoutes(AssistantRuntime assistant, ConversationManagement conversations, TurnStreams turns,
                                 Runnable wakeWorker, UsageMeter usage, TenantManagement tenants, Bodies bodies,
                                 Clock clock) {
        this.assistant = assistant;
        this.conversations = conversations;
        this.turns = turns;
        this.wakeWorker = wakeWorker;
        this.usage = usage;
        this.tenants = tenants;
        this.bodies = bodies;
        this.clock = clock;
    }

    public void register(dev.clawless.server.http.Routes routes) {
        routes.post("/v1/chat/completions", this::complete);
    }

    /** A chat request as read from the body. */
    private record ChatRequest(String model, List<ChatMessage> messages, boolean stream, boolean includeUsage,
                               Optional<String> sessionId, Sampling sampling) {
    }

    private void complete(ServerRequest req, ServerResponse res) {
        TenantPrincipal p = Auth.require(req, Scope.CHAT);
        ChatRequest chat;
        AssistantRuntime.Target target;
        Optional<Conversation> session = Optional.empty();
        try {
            chat = parse(bodies.object(req));
            target = assistant.resolve(p.tenant(), chat.model(), new RoutingRules.Traits(
                    lastUserText(chat.messages()), false, p.tenant().plan()));
            supported(target, chat.sampling());
            if (chat.sessionId().isPresent()) {
                session = Optional.of(SessionRoutes.session(conversations, p.tenantId(), chat.sessionId().get()));
            }
        } catch (ClawlessException.Validation e) {
            openAiError(res, 400, "invalid_request_error", e.errors().isEmpty() ? null : e.errors().get(0).field(),
                    e.detail(), e);
            return;
        } catch (ClawlessException.NotFound e) {
            openAiError(res, 404, "invalid_request_error", "session_id", e.detail(), null);
            return;
        }
        // quotas are checked before a model is called (429 quota-exceeded, Retry-After until the next month)
        usage.checkQuota(p.tenantId(), tenants.effectiveQuotas(p.tenant()));
        Responder out = new Responder(res, "chatcmpl-" + Secrets.randomBase62(24), clock.instant().getEpochSecond(),
                target.label(), chat.stream(), chat.includeUsage());
        if (session.isPresent()) {
            sessionTurn(p, session.get(), chat, out, res);
            return;
        }
        AssistantRequest request = new AssistantRequest(p.tenantId(), target.model(), chat.messages(), List.of(),
                chat.sampling());
        // the stream starts with the first delta: a provider failing before any text answers a plain 502 problem
        Completion c = assistant.complete(target, request, out::delta);
        usage.record(p.tenantId(), c.provider(), c.model(), c.tokensIn(), c.tokensOut());
        out.finish(c.text(), finishReason(c.finishReason()), c.tokensIn(), c.tokensOut());
    }

    /**
     * With {@code session_id}: the last user message joins the session's history as an inbound message on the
     * {@code api} channel, and its assistant turn runs as a job like any channel's. The request follows the turn's
     * deltas on this node, and reads the stored reply if another node ran it.
     */
    private void sessionTurn(TenantPrincipal p, Conversation session, ChatRequest chat, Responder out,
                             ServerResponse res) {
        if (session.status() != ConversationStatus.BOT) {
            openAiError(res, 409, "invalid_request_error", "session_id", "the session is with a human operator ("
                    + session.status().wire() + "); the assistant does not answer it", null);
            return;
        }
        BlockingQueue<TurnEvent> events = new LinkedBlockingQueue<>();
        TurnStreams.Listener listener = new TurnStreams.Listener() {
            @Override
            public void delta(String messageId, String text) {
                events.add(new TurnEvent(messageId, Optional.of(text), Optional.empty(), Optional.empty()));
            }

            @Override
            public void completed(String messageId, Message reply) {
                events.add(new TurnEvent(messageId, Optional.empty(), Optional.of(reply), Optional.empty()));
            }

            @Override
            public void failed(String messageId, String error) {
                events.add(new TurnEvent(messageId, Optional.empty(), Optional.empty(), Optional.of(error)));
            }

            @Override
            public void paused(String messageId, String approvalId) {
                events.add(new TurnEvent(messageId, Optional.empty(), Optional.empty(),
                        Optional.of(PAUSED + approvalId)));
            }
        };
        try (AutoCloseable subscription = turns.subscribe(session.id(), listener)) {
            Ingested in = conversations.ingest(p.tenantId(), InboundMessage.text("api",
                    ConversationManagement.API_CONNECTION, "api-" + Secrets.randomBase62(24), session.id(),
                    new Participant(p.keyId(), Optional.empty(), Optional.empty()), lastUserText(chat.messages()),
                    clock.instant()));
            wakeWorker.run();
            String messageId = in.message().id();
            long deadline = System.nanoTime() + TURN_TIMEOUT.toNanos();
            boolean sentAny = false;
            while (System.nanoTime() < deadline) {
                TurnEvent e = events.poll(250, TimeUnit.MILLISECONDS);
                Optional<Message> reply = Optional.empty();
                if (e != null && e.messageId().equals(messageId)) {
                    if (e.delta().isPresent()) {
                        out.delta(e.delta().get());
                        sentAny = true;
                        continue;
                    }
                    if (e.error().isPresent() && e.error().get().startsWith(PAUSED)) {
                        out.paused(e.error().get().substring(PAUSED.length()));
                        return;
                    }
                    if (e.error().isPresent()) {
                        out.fail(502, "the assistant failed to answer; it retries in the background and the reply"
                                + " will appear in the session");
                        return;
                    }
                    reply = e.reply();
                } else if (e == null) {
                    reply = conversations.replyTo(p.tenantId(), messageId);
                }
                if (reply.isPresent()) {
                    Message r = reply.get();
                    if (!sentAny) {
                        out.delta(r.text());
                    }
                    out.finish(r.text(), finishReason(r.metadata().getOrDefault("finish_reason", "stop")),
                            parseInt(r.metadata().get("tokens_in")), parseInt(r.metadata().get("tokens_out")));
                    return;
                }
            }
            out.fail(504, "the assistant did not answer within " + TURN_TIMEOUT.toSeconds() + " s; the reply will"
                    + " appear in the session when it does");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the turn", e);
        } catch (Exception e) {
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e);
        }
    }

    private static final String PAUSED = "\u0000paused:";

    /** What a session request hears about its turn. */
    private record TurnEvent(String messageId, Optional<String> delta, Optional<Message> reply,
                             Optional<String> error) {
    }

    private static int parseInt(String value) {
        try {
            return value == null ? 0 : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String lastUserText(List<ChatMessage> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).role() == ChatMessage.Role.USER) {
                return messages.get(i).content();
            }
        }
        return "";
    }

    /**
     * Writes one answer in OpenAI's shape: a {@code chat.completion} object, or a stream of
     * {@code chat.completion.chunk} events ending with {@code [DONE]}. Used from the request's thread only.
     */
    private static final class Responder {
        private final ServerResponse res;
        private final String id;
        private final long created;
        private final String model;
        private final boolean stream;
        private final boolean includeUsage;
        private OutputStream out;

        Responder(ServerResponse res, String id, long created, String model, boolean stream, boolean includeUsage) {
            this.res = res;
            this.id = id;
            this.created = created;
            this.model = model;
            this.stream = stream;
            this.includeUsage = includeUsage;
        }

        private void start() {
            if (!stream || out != null) {
                return;
            }
            res.status(Status.OK_200);
            res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            res.header(HeaderNames.CACHE_CONTROL, "no-cache");
            res.header(HeaderNames.create("X-Accel-Buffering"), "no");
            out = res.outputStream();
            ObjectNode first = chunk();
            first.withArray("choices").addObject().put("index", 0).putNull("finish_reason")
                    .putObject("delta").put("role", "assistant").put("content", "");
            event(first.toString());
        }

        void delta(String text) {
            if (!stream) {
                return;
            }
            start();
            ObjectNode piece = chunk();
            piece.withArray("choices").addObject().put("index", 0).putNull("finish_reason")
                    .putObject("delta").put("content", text);
            event(piece.toString());
        }

        void finish(String text, String finishReason, int tokensIn, int tokensOut) {
            ObjectNode usage = Json.object().put("prompt_tokens", tokensIn).put("completion_tokens", tokensOut)
                    .put("total_tokens", tokensIn + tokensOut);
            if (!stream) {
                ObjectNode body = Json.object();
                body.put("id", id);
                body.put("object", "chat.completion");
                body.put("created", created);
                body.put("model", model);
                ObjectNode choice = body.putArray("choices").addObject();
                choice.put("index", 0);
                choice.putObject("message").put("role", "assistant").put("content", text);
                choice.putNull("logprobs");
                choice.put("finish_reason", finishReason);
                body.set("usage", usage);
                Json.send(res, Status.OK_200, body);
                return;
            }
            start();
            ObjectNode last = chunk();
            last.withArray("choices").addObject().put("index", 0).put("finish_reason", finishReason)
                    .putObject("delta");
            event(last.toString());
            if (includeUsage) {
                ObjectNode u = chunk();
                u.set("usage", usage);
                event(u.toString());
            }
            event("[DONE]");
            close();
        }

        /** The turn waits for an operator to approve a tool call: 202 with the approval's id. */
        void paused(String approvalId) {
            ObjectNode body = Json.object();
            body.put("object", "clawless.approval_required");
            body.put("approval_id", approvalId);
            body.put("message", "the assistant wants to run a tool that needs an operator's approval; once decided"
                    + " (POST /v1/approvals/" + approvalId + "/approve or /deny) the answer appears in the session");
            if (!stream || out == null) {
                Json.send(res, Status.ACCEPTED_202, body);
                return;
            }
            event(body.toString());
            event("[DONE]");
            close();
        }

        void fail(int status, String message) {
            ObjectNode body = Json.object();
            body.putObject("error").put("message", message).put("type", "api_error").putNull("param").putNull("code");
            if (!stream || out == null) {
                Json.send(res, Status.create(status), body);
                return;
            }
            event(body.toString());
            event("[DONE]");
            close();
        }

        private ObjectNode chunk() {
            ObjectNode node = Json.object();
            node.put("id", id);
            node.put("object", "chat.completion.chunk");
            node.put("created", created);
            node.put("model", model);
            node.putArray("choices");
            return node;
        }

        private void event(String data) {
            try {
                out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void close() {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A sampling field the chosen provider cannot honour is refused, naming it (the retrieval assistant needs none). */
    private static void supported(AssistantRuntime.Target target, Sampling sampling) {
        String provider = target.provider().name();
        if (provider.equals(RetrievalProvider.NAME)) {
            return;
        }
        Set<String> unsupported = LangChainProvider.unsupported(provider);
        for (String field : sampling.fieldsSet()) {
            if (unsupported.contains(field)) {
                throw ClawlessException.Validation.of(field, "'" + field + "' is not supported by the " + provider
                        + " provider");
            }
        }
    }

    private static String finishReason(String reason) {
        // OpenAI clients know stop, length, tool_calls, content_filter; a handoff offer is a normal stop for them
        return reason.equals("length") ? "length" : "stop";
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
        Optional<String> sessionId = Optional.empty();
        JsonNode session = body.get("session_id");
        if (session != null && !session.isNull()) {
            if (!session.isTextual() || session.textValue().length() > 60) {
                errors.add(new ClawlessException.FieldError("session_id", "must be a session id (cnv_…)"));
            } else {
                sessionId = Optional.of(session.textValue());
            }
        }
        List<ChatMessage> messages = messages(body.get("messages"), errors);
        Sampling sampling = OpenAiFields.read(body, errors);
        if (sessionId.isPresent() && !sampling.fieldsSet().isEmpty()) {
            String field = sampling.fieldsSet().get(0);
            errors.add(new ClawlessException.FieldError(field, "'" + field + "' cannot be combined with session_id:"
                    + " a session's turn runs as a job with the tenant's settings"));
        }
        if (!errors.isEmpty()) {
            throw ClawlessException.Validation.of(errors);
        }
        return new ChatRequest(model, messages, stream, includeUsage, sessionId, sampling);
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
    private static void openAiError(ServerResponse res, int status, String type, String param, String message,
                                    ClawlessException.Validation validation) {
        ObjectNode body = Json.object();
        ObjectNode error = body.putObject("error");
        error.put("message", message);
        error.put("type", type);
        error.put("param", param);
        error.putNull("code");
        if (validation != null) {
            var details = error.putArray("errors");
            validation.errors().forEach(f -> details.addObject().put("field", f.field()).put("message", f.message()));
        }
        Json.send(res, Status.create(status), body);
    }
}
