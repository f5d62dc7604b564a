package dev.clawless.core.assistant;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.BiFunction;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.http.client.jdk.JdkHttpClient;
import dev.langchain4j.http.client.jdk.JdkHttpClientBuilder;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.anthropic.AnthropicChatRequestParameters;
import dev.langchain4j.model.anthropic.AnthropicStreamingChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.ollama.OllamaStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.TokenUsage;

/**
 * An LLM provider through langchain4j's streaming chat models: {@code openai} (any OpenAI-compatible base URL),
 * {@code anthropic} and {@code ollama}. One model client per model name (and OpenAI's strict-schema mode), created on
 * first use. The hub's tools and a client's tools, tool choice and reply format go to the model as langchain4j
 * parameters. Deltas arrive on the
 * client's threads and are handed to the caller's thread through a queue, so {@code onDelta} runs on the calling
 * thread, in order. Errors become {@link ProviderException}s that name the provider and never carry the API key.
 */
public final class LangChainProvider implements AssistantProvider {

    /**
     * How to reach a provider.
     *
     * @param name         {@code openai}, {@code anthropic} or {@code ollama}
     * @param baseUrl      API base URL (OpenAI-style {@code …/v1}, Anthropic {@code …/v1/}, Ollama root)
     * @param apiKey       API key, if the provider needs one; never logged
     * @param defaultModel model used when a request names none
     * @param timeout      longest a whole answer may take
     * @param thinkingBudgetTokens Anthropic's extended thinking: the tokens the model may think in before it answers
     *                     (at least 1024), or 0 for none; other providers ignore it
     */
    public record Settings(String name, String baseUrl, Optional<String> apiKey, String defaultModel,
                           Duration timeout, int thinkingBudgetTokens) {

        /** A provider without extended thinking. */
        public Settings(String name, String baseUrl, Optional<String> apiKey, String defaultModel, Duration timeout) {
            this(name, baseUrl, apiKey, defaultModel, timeout, 0);
        }

        @Override
        public String toString() {
            return "Settings[name=" + name + ", baseUrl=" + baseUrl + ", apiKey=" + (apiKey.isPresent() ? "****" : "none")
                    + ", defaultModel=" + defaultModel + ", timeout=" + timeout + ", thinkingBudgetTokens="
                    + thinkingBudgetTokens + "]";
        }
    }

    private static final int ANTHROPIC_MAX_TOKENS = 1024;

    private final Settings settings;
    /** A model client for a model name; the flag is OpenAI's strict mode for a {@code json_schema} reply. */
    private final BiFunction<String, Boolean, StreamingChatModel> factory;
    private final Map<String, StreamingChatModel> models = new ConcurrentHashMap<>();

    private LangChainProvider(Settings settings, BiFunction<String, Boolean, StreamingChatModel> factory) {
        this.settings = settings;
        this.factory = factory;
    }

    public static LangChainProvider openAi(Settings s) {
        return new LangChainProvider(s, (model, strict) -> OpenAiStreamingChatModel.builder()
                .baseUrl(s.baseUrl()).apiKey(s.apiKey().orElse("none")).modelName(model).timeout(s.timeout())
                .strictJsonSchema(strict).httpClientBuilder(http()).build());
    }

    /**
     * Anthropic's Messages API. The system prompt and the tools are marked for Anthropic's prompt cache
     * ({@code cache_control}); with a thinking budget the model thinks first ({@code thinking: enabled}), its answer
     * may be that much longer, and its thinking comes back in {@link Completion#thinking()}, apart from the text.
     */
    public static LangChainProvider anthropic(Settings s) {
        int budget = s.thinkingBudgetTokens();
        return new LangChainProvider(s, (model, strict) -> {
            // thinking is asked for per request (see thinks); max_tokens leaves room for the budget
            return AnthropicStreamingChatModel.builder()
                    .baseUrl(s.baseUrl()).apiKey(s.apiKey().orElse("none")).modelName(model)
                    .maxTokens(ANTHROPIC_MAX_TOKENS + budget).timeout(s.timeout()).httpClientBuilder(http())
                    .cacheSystemMessages(true).cacheTools(true).build();
        });
    }

    /** The thinking budget of this request: the tenant's own when it set one, else the hub's. */
    private int budget(AssistantRequest request) {
        return request.thinkingBudgetTokens().orElse(settings.thinkingBudgetTokens());
    }

    /**
     * Whether Anthropic's model thinks before this request's answer: with a budget, unless the request continues a
     * tool-use turn (Anthropic then wants the earlier thinking blocks back with their signatures, which the hub does
     * not keep), sets temperature or top_p, or forces a tool call ({@code tool_choice} required or a named
     * function) — Anthropic refuses those with thinking.
     */
    private boolean thinks(AssistantRequest request) {
        if (budget(request) <= 0 || !settings.name().equals("anthropic")) {
            return false;
        }
        Sampling s = request.sampling();
        if (s.temperature().isPresent() || s.topP().isPresent()) {
            return false;
        }
        ClientTools tools = request.clientTools();
        if (tools.forced().isPresent() || tools.choice() == ClientTools.Choice.REQUIRED) {
            return false; // Anthropic thinks only when the model may choose not to call a tool
        }
        List<ChatMessage> m = request.messages();
        for (int i = m.size() - 1; i >= 0 && m.get(i).role() != ChatMessage.Role.USER; i--) {
            if (m.get(i).role() == ChatMessage.Role.TOOL || !m.get(i).toolCalls().isEmpty()) {
                return false;
            }
        }
        return true;
    }

    public static LangChainProvider ollama(Settings s) {
        return new LangChainProvider(s, (model, strict) -> OllamaStreamingChatModel.builder()
                .baseUrl(s.baseUrl()).modelName(model).timeout(s.timeout()).httpClientBuilder(http()).build());
    }

    /** langchain4j's JDK HTTP client, on a JDK client that notes a provider's {@code Retry-After}. */
    private static JdkHttpClientBuilder http() {
        return JdkHttpClient.builder().httpClientBuilder(RetryAfterCapture.builder());
    }

    @Override
    public String name() {
        return settings.name();
    }

    @Override
    public String defaultModel() {
        return settings.defaultModel();
    }

    /**
     * OpenAI's request fields this provider cannot honour, by their OpenAI names (refused with a 400):
     * {@code tool_choice} other than auto, {@code parallel_tool_calls: false} and {@code response_format} other than
     * text count as set; the hub passes every other tool field to all three.
     */
    public static java.util.Set<String> unsupported(String provider) {
        return switch (provider) {
            case "openai" -> java.util.Set.of();
            // langchain4j refuses Anthropic schemaless JSON, and this hub has not tried its structured outputs
            case "anthropic" -> java.util.Set.of("seed", "presence_penalty", "frequency_penalty", "user",
                    "parallel_tool_calls", "response_format");
            // Ollama's API has no tool choice
            default -> java.util.Set.of("seed", "presence_penalty", "frequency_penalty", "user", "tool_choice",
                    "parallel_tool_calls");
        };
    }

    /**
     * The request's tools, reply format and sampling as langchain4j parameters (OpenAI's own type where it has seed,
     * user and parallel tool calls). A client's forced function is the only tool the model sees, and it must call it.
     */
    private ChatRequestParameters parameters(AssistantRequest request) {
        Sampling s = request.sampling();
        ClientTools client = request.clientTools();
        List<ToolSpecification> all = new ArrayList<>();
        ToolChoice choice = null;
        if (client.forced().isPresent()) {
            client.functions().stream().filter(f -> f.name().equals(client.forced().get()))
                    .forEach(f -> all.add(ToolSchemas.specification(f)));
            choice = ToolChoice.REQUIRED;
        } else {
            request.tools().forEach(t -> all.add(ToolSchemas.specification(t)));
            client.functions().forEach(f -> all.add(ToolSchemas.specification(f)));
            if (!client.isEmpty()) {
                choice = switch (client.choice()) {
                    case UNSET -> null;
                    case AUTO -> ToolChoice.AUTO;
                    case NONE -> ToolChoice.NONE;
                    case REQUIRED -> ToolChoice.REQUIRED;
                };
            }
        }
        List<ToolSpecification> tools = all.isEmpty() ? null : all;
        ResponseFormat format = responseFormat(request.format());
        if (settings.name().equals("openai")) {
            return OpenAiChatRequestParameters.builder().toolSpecifications(tools).toolChoice(choice)
                    .parallelToolCalls(client.isEmpty() ? null : client.parallel().orElse(null))
                    .responseFormat(format)
                    .temperature(s.temperature().orElse(null)).topP(s.topP().orElse(null))
                    .maxOutputTokens(s.maxTokens().orElse(null)).stopSequences(s.stop().isEmpty() ? null : s.stop())
                    .presencePenalty(s.presencePenalty().orElse(null))
                    .frequencyPenalty(s.frequencyPenalty().orElse(null))
                    .seed(s.seed().orElse(null)).user(s.user().orElse(null)).build();
        }
        if (settings.name().equals("anthropic")) {
            boolean thinks = thinks(request);
            int budget = thinks ? budget(request) : 0;
            // Anthropic counts thinking in max_tokens: a client's max_tokens is for the answer, the budget on top;
            // a tenant's own budget may be larger than the one the model was built with
            Integer maxTokens = s.maxTokens().map(m -> m + budget).orElse(
                    thinks && budget != settings.thinkingBudgetTokens() ? ANTHROPIC_MAX_TOKENS + budget : null);
            AnthropicChatRequestParameters.Builder b = AnthropicChatRequestParameters.builder()
                    .toolSpecifications(tools).toolChoice(choice).responseFormat(format)
                    .temperature(s.temperature().orElse(null)).topP(s.topP().orElse(null))
                    .maxOutputTokens(maxTokens)
                    .stopSequences(s.stop().isEmpty() ? null : s.stop());
            if (thinks) {
                b.thinkingType("enabled").thinkingBudgetTokens(budget).returnThinking(true);
            }
            return b.build();
        }
        return DefaultChatRequestParameters.builder().toolSpecifications(tools).toolChoice(choice)
                .responseFormat(format).temperature(s.temperature().orElse(null)).topP(s.topP().orElse(null))
                .maxOutputTokens(s.maxTokens().orElse(null)).stopSequences(s.stop().isEmpty() ? null : s.stop())
                .build();
    }

    /** OpenAI's response_format as langchain4j's: JSON without a schema, or with the client's schema as written. */
    private static ResponseFormat responseFormat(ReplyFormat format) {
        return switch (format.kind()) {
            case TEXT -> null;
            case JSON_OBJECT -> ResponseFormat.JSON;
            case JSON_SCHEMA -> ResponseFormat.builder().type(ResponseFormatType.JSON).jsonSchema(JsonSchema.builder()
                    .name(format.name()).rootElement(JsonRawSchema.from(format.schemaJson().orElseThrow())).build())
                    .build();
        };
    }

    @Override
    public Completion complete(AssistantRequest request, Consumer<String> onDelta) {
        boolean strict = request.format().strict();
        StreamingChatModel model = models.computeIfAbsent(request.model() + (strict ? "\u0000strict" : ""),
                key -> factory.apply(request.model(), strict));
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        RetryAfterCapture.Slot retryAfter = RetryAfterCapture.open();
        try {
            ChatRequest chatRequest = ChatRequest.builder().messages(convert(request.messages()))
                    .parameters(parameters(request)).build();
            model.chat(chatRequest,
                    new StreamingChatResponseHandler() {
                        @Override
                        public void onPartialResponse(String partial) {
                            events.add(new Delta(partial));
                        }

                        @Override
                        public void onCompleteResponse(ChatResponse response) {
                            events.add(response);
                        }

                        @Override
                        public void onError(Throwable error) {
                            events.add(error);
                        }
                    });
        } catch (RuntimeException e) {
            throw failure(e, retryAfter.retryAfter());
        } finally {
            retryAfter.close();
        }
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        StringBuilder text = new StringBuilder();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                Object event = left <= 0 ? null : events.poll(left, TimeUnit.NANOSECONDS);
                if (event == null) {
                    throw new ProviderException(name(), "provider '" + name() + "' did not answer within "
                            + settings.timeout().toSeconds() + " s", null);
                }
                if (event instanceof Delta d) {
                    if (!d.text().isEmpty()) {
                        text.append(d.text());
                        onDelta.accept(d.text());
                    }
                } else if (event instanceof ChatResponse response) {
                    String full = response.aiMessage() != null && response.aiMessage().text() != null
                            ? response.aiMessage().text() : text.toString();
                    TokenUsage usage = response.tokenUsage();
                    int in = usage != null && usage.inputTokenCount() != null ? usage.inputTokenCount()
                            : Tokens.estimate(request.messages());
                    int out = usage != null && usage.outputTokenCount() != null ? usage.outputTokenCount()
                            : Tokens.estimate(full);
                    java.util.List<dev.clawless.plugin.api.ToolCall> calls = response.aiMessage() == null
                            || !response.aiMessage().hasToolExecutionRequests() ? java.util.List.of()
                            : response.aiMessage().toolExecutionRequests().stream()
                            .map(r -> new dev.clawless.plugin.api.ToolCall(r.id() == null ? "call_" + r.name() : r.id(),
                                    r.name(), r.arguments() == null || r.arguments().isBlank() ? "{}" : r.arguments()))
                            .toList();
                    String finish = !calls.isEmpty() ? "tool_calls" : response.finishReason() == null ? "stop"
                            : response.finishReason().name().equals("LENGTH") ? "length" : "stop";
                    String thinking = response.aiMessage() != null && response.aiMessage().thinking() != null
                            ? response.aiMessage().thinking() : "";
                    return new Completion(name(), request.model(), full, in, out, finish, calls, List.of(), thinking);
                } else if (event instanceof Throwable error) {
                    throw failure(error, retryAfter.retryAfter());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(name(), "interrupted while waiting for provider '" + name() + "'", e);
        }
    }

    private record Delta(String text) {
    }

    /** The failure as a {@link ProviderException} with the provider's HTTP status, if it answered with one. */
    private ProviderException failure(Throwable e, java.util.OptionalLong retryAfter) {
        Throwable root = e;
        java.util.OptionalInt status = java.util.OptionalInt.empty();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof HttpException h && status.isEmpty()) {
                status = java.util.OptionalInt.of(h.statusCode());
            }
            root = t;
        }
        if (status.isEmpty() && e instanceof RateLimitException) {
            status = java.util.OptionalInt.of(429);
        }
        String detail = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        if (settings.apiKey().isPresent() && !settings.apiKey().get().isEmpty()) {
            detail = detail.replace(settings.apiKey().get(), "****");
        }
        detail = detail.replaceAll("\\s+", " ");
        if (detail.length() > 300) {
            detail = detail.substring(0, 300) + "…";
        }
        return new ProviderException(name(), "provider '" + name() + "' failed: " + detail, e, status,
                status.isPresent() ? retryAfter : java.util.OptionalLong.empty());
    }

    /**
     * langchain4j messages; consecutive plain messages of one role are merged (Anthropic wants roles to alternate).
     */
    static List<dev.langchain4j.data.message.ChatMessage> convert(List<ChatMessage> messages) {
        List<ChatMessage> merged = new ArrayList<>();
        for (ChatMessage m : messages) {
            boolean plain = m.toolCalls().isEmpty() && m.role() != ChatMessage.Role.TOOL;
            ChatMessage previous = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (plain && previous != null && previous.role() == m.role() && previous.toolCalls().isEmpty()) {
                ChatMessage last = merged.remove(merged.size() - 1);
                merged.add(new ChatMessage(m.role(), last.content() + "\n\n" + m.content()));
            } else {
                merged.add(m);
            }
        }
        List<dev.langchain4j.data.message.ChatMessage> out = new ArrayList<>();
        for (ChatMessage m : merged) {
            String content = m.content().isEmpty() ? " " : m.content();
            out.add(switch (m.role()) {
                case SYSTEM -> SystemMessage.from(content);
                case USER -> UserMessage.from(content);
                case ASSISTANT -> m.toolCalls().isEmpty() ? AiMessage.from(content)
                        : AiMessage.from(m.content().isBlank() ? null : m.content(), m.toolCalls().stream()
                        .map(c -> ToolExecutionRequest.builder().id(c.id()).name(c.name())
                                .arguments(c.argumentsJson()).build()).toList());
                case TOOL -> ToolExecutionResultMessage.from(m.toolCallId().orElse(""), m.toolName().orElse(""),
                        m.content());
            });
        }
        return out;
    }
}
