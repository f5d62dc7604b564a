package dev.clawless.server.api;

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
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.assistant.AssistantRequest;
import dev.clawless.core.assistant.AssistantRuntime;
import dev.clawless.core.assistant.ChatMessage;
import dev.clawless.core.assistant.ClientTools;
import dev.clawless.core.assistant.LangChainProvider;
import dev.clawless.core.assistant.ReplyFormat;
import dev.clawless.core.assistant.ReplyFormatCheck;
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
 * unchanged: a plain answer (with {@code n} choices), or with {@code stream: true} server-sent
 * {@code chat.completion.chunk} events ending with {@code data: [DONE]}. A client's own tools go to the model and
 * the model's calls of them come back to the client ({@code finish_reason: tool_calls}); a JSON
 * {@code response_format} goes to the model and the reply is checked against it before the client sees it. Every
 * error has OpenAI's shape ({@code {"error": {…}}}); a field the hub cannot honour is refused naming it (see
 * {@link OpenAiFields}).
 */
public final class ChatCompletionsRoutes {

    /** Most choices one request may ask for ({@code n}); each is a call of the model. */
    static final int MAX_CHOICES = 8;
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
                               Optional<String> sessionId, Sampling sampling, ClientTools tools, ReplyFormat format,
                               int choices) {
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
            supported(target, chat);
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
        ChatCompletionWriter out = new ChatCompletionWriter(res, "chatcmpl-" + Secrets.randomBase62(24), clock.instant().getEpochSecond(),
                target.label(), chat.stream(), chat.includeUsage());
        if (session.isPresent()) {
            sessionTurn(p, session.get(), chat, out, res);
            return;
        }
        AssistantRequest request = new AssistantRequest(p.tenantId(), target.model(), chat.messages(), List.of(),
                chat.sampling(), chat.tools(), chat.format(), p.tenant().settings().assistant().thinkingBudgetTokens());
        // the stream starts with the first delta: a provider failing before any text answers a plain 502 problem;
        // a JSON reply is held back until it is checked, then sent whole
        java.util.function.Consumer<String> deltas = chat.format().json() ? text -> { } : out::delta;
        List<Completion> done = completions(target, request, chat.choices(), deltas);
        int in = 0;
        int outTokens = 0;
        List<ChatCompletionWriter.Choice> choices = new ArrayList<>();
        for (Completion c : done) {
            usage.record(p.tenantId(), c.provider(), c.model(), c.tokensIn(), c.tokensOut());
            in += c.tokensIn();
            outTokens += c.tokensOut();
            choices.add(new ChatCompletionWriter.Choice(c.text(), finishReason(c.finishReason()), c.toolCalls()));
        }
        for (Completion c : done) {
            Optional<String> mismatch = c.toolCalls().isEmpty() ? ReplyFormatCheck.problem(chat.format(), c.text())
                    : Optional.empty();
            if (mismatch.isPresent()) {
                out.fail(502, "api_error", "response_format", "response_format_mismatch", "the model's reply did"
                        + " not satisfy response_format (" + chat.format().kind().name().toLowerCase(
                        java.util.Locale.ROOT) + "): " + mismatch.get());
                return;
            }
        }
        if (chat.format().json() && chat.stream()) {
            out.delta(done.get(0).text());
        }
        out.finish(choices, in, outTokens, done.get(0).citations());
    }

    /** {@code n} answers of the model, asked at once (one call each); the first failure fails the request. */
    private List<Completion> completions(AssistantRuntime.Target target, AssistantRequest request, int n,
                                         java.util.function.Consumer<String> deltas) {
        if (n == 1) {
            return List.of(assistant.complete(target, request, deltas));
        }
        try (var calls = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<Completion>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(calls.submit(() -> assistant.complete(target, request, text -> { })));
            }
            List<Completion> out = new ArrayList<>();
            try {
                for (var f : futures) {
                    out.add(f.get());
                }
            } catch (java.util.concurrent.ExecutionException | InterruptedException e) {
                futures.forEach(f -> f.cancel(true)); // one failed: the answer is an error, stop waiting for the rest
                throw e;
            }
            return out;
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the model", e);
        }
    }

    /**
     * With {@code session_id}: the last user message joins the session's history as an inbound message on the
     * {@code api} channel, and its assistant turn runs as a job like any channel's. The request follows the turn's
     * deltas on this node, and reads the stored reply if another node ran it.
     */
    private void sessionTurn(TenantPrincipal p, Conversation session, ChatRequest chat, ChatCompletionWriter out,
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
     * A field the chosen provider cannot honour is refused, naming it: the retrieval assistant writes no text of its
     * own, so it can neither call tools nor write JSON (it needs no sampling); an LLM provider refuses what
     * {@link LangChainProvider#unsupported} lists.
     */
    private static void supported(AssistantRuntime.Target target, ChatRequest chat) {
        String provider = target.provider().name();
        if (provider.equals(RetrievalProvider.NAME)) {
            if (!chat.tools().isEmpty()) {
                throw ClawlessException.Validation.of("tools", "tool calling needs an LLM provider; this request is"
                        + " answered by the retrieval assistant, which only finds answers in the tenant's knowledge"
                        + " (configure an LLM on the hub, or name one in model)");
            }
            if (chat.format().json()) {
                throw ClawlessException.Validation.of("response_format", "JSON replies need an LLM provider; this"
                        + " request is answered by the retrieval assistant, which only finds answers in the tenant's"
                        + " knowledge (configure an LLM on the hub, or name one in model)");
            }
            return;
        }
        Set<String> unsupported = LangChainProvider.unsupported(provider);
        List<String> set = new ArrayList<>(chat.sampling().fieldsSet());
        if (!chat.tools().isEmpty() && (chat.tools().choice() == ClientTools.Choice.NONE
                || chat.tools().choice() == ClientTools.Choice.REQUIRED)) {
            set.add("tool_choice");
        }
        if (!chat.tools().isEmpty() && chat.tools().parallel().equals(Optional.of(false))) {
            set.add("parallel_tool_calls");
        }
        if (chat.format().json()) {
            set.add("response_format");
        }
        for (String field : set) {
            if (unsupported.contains(field)) {
                throw ClawlessException.Validation.of(field, "'" + field + "' is not supported by the " + provider
                        + " provider");
            }
        }
    }

    private static String finishReason(String reason) {
        // OpenAI clients know stop, length, tool_calls, content_filter; a handoff offer is a normal stop for them
        return switch (reason) {
            case "length", "tool_calls" -> reason;
            default -> "stop";
        };
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
        int choices = 1;
        JsonNode n = body.get("n");
        if (n != null && !n.isNull()) {
            if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 1 || n.intValue() > MAX_CHOICES) {
                errors.add(new ClawlessException.FieldError("n", "must be an integer from 1 to " + MAX_CHOICES));
            } else if (n.intValue() > 1 && stream) {
                errors.add(new ClawlessException.FieldError("n", "more than one choice is only supported without"
                        + " stream"));
            } else {
                choices = n.intValue();
            }
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
        List<ChatMessage> messages = OpenAiMessages.read(body.get("messages"), errors);
        Sampling sampling = OpenAiFields.read(body, errors);
        ClientTools tools = OpenAiTools.tools(body, errors);
        ReplyFormat format = OpenAiReplyFormat.format(body, errors);
        List<String> perRequest = new ArrayList<>(sampling.fieldsSet());
        if (!tools.isEmpty()) {
            perRequest.add("tools");
        }
        if (format.json()) {
            perRequest.add("response_format");
        }
        if (choices > 1) {
            perRequest.add("n");
        }
        if (sessionId.isPresent() && !perRequest.isEmpty()) {
            String field = perRequest.get(0);
            errors.add(new ClawlessException.FieldError(field, "'" + field + "' cannot be combined with session_id:"
                    + " a session's turn runs as a job with the tenant's settings"));
        }
        if (!errors.isEmpty()) {
            throw ClawlessException.Validation.of(errors);
        }
        return new ChatRequest(model, messages, stream, includeUsage, sessionId, sampling, tools, format, choices);
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
