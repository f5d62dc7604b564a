package dev.clawless.server.api;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.assistant.Citation;
import dev.clawless.plugin.api.ToolCall;
import dev.clawless.server.http.Json;

/**
 * Writes one answer in OpenAI's shape: a {@code chat.completion} object with its choices, or a stream of
 * {@code chat.completion.chunk} events ending with {@code [DONE]} — text deltas, then the tool calls as OpenAI
 * streams them ({@code delta.tool_calls} with index, id and name, then the arguments), the finish reason, and with
 * {@code include_usage} a last chunk with {@code usage} and no choices. Errors in OpenAI's error shape. Used from the
 * request's thread only.
 */
final class ChatCompletionWriter {

    /**
     * One choice of a finished answer.
     *
     * @param text         the text (may be empty when the model only called tools)
     * @param finishReason OpenAI's: stop, length or tool_calls
     * @param toolCalls    the client's functions the model called
     */
    record Choice(String text, String finishReason, List<ToolCall> toolCalls) {
        Choice {
            toolCalls = List.copyOf(toolCalls);
        }
    }

    private final ServerResponse res;
    private final String id;
    private final long created;
    private final String model;
    private final boolean stream;
    private final boolean includeUsage;
    private OutputStream out;

    ChatCompletionWriter(ServerResponse res, String id, long created, String model, boolean stream,
                         boolean includeUsage) {
        this.res = res;
        this.id = id;
        this.created = created;
        this.model = model;
        this.stream = stream;
        this.includeUsage = includeUsage;
    }

    /** True once the stream has begun: an error can then only be told inside it. */
    boolean started() {
        return out != null;
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

    /** A piece of the first choice's text (streamed answers only). */
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

    /** A text answer. */
    void finish(String text, String finishReason, int tokensIn, int tokensOut) {
        finish(List.of(new Choice(text, finishReason, List.of())), tokensIn, tokensOut, List.of());
    }

    /**
     * The answer's choices (a stream carries one, whose text was already sent as deltas), its usage, and the
     * knowledge it cites — a {@code citations} array beside {@code choices} (in a stream, on the chunk with the
     * finish reason), left out when empty.
     */
    void finish(List<Choice> choices, int tokensIn, int tokensOut, List<Citation> citations) {
        ObjectNode usage = Json.object().put("prompt_tokens", tokensIn).put("completion_tokens", tokensOut)
                .put("total_tokens", tokensIn + tokensOut);
        if (!stream) {
            ObjectNode body = Json.object();
            body.put("id", id);
            body.put("object", "chat.completion");
            body.put("created", created);
            body.put("model", model);
            ArrayNode list = body.putArray("choices");
            for (int i = 0; i < choices.size(); i++) {
                Choice c = choices.get(i);
                ObjectNode choice = list.addObject();
                choice.put("index", i);
                ObjectNode message = choice.putObject("message").put("role", "assistant");
                if (c.text().isEmpty() && !c.toolCalls().isEmpty()) {
                    message.putNull("content");
                } else {
                    message.put("content", c.text());
                }
                if (!c.toolCalls().isEmpty()) {
                    ArrayNode calls = message.putArray("tool_calls");
                    c.toolCalls().forEach(call -> calls.addObject().put("id", call.id()).put("type", "function")
                            .putObject("function").put("name", call.name()).put("arguments", call.argumentsJson()));
                }
                choice.putNull("logprobs");
                choice.put("finish_reason", c.finishReason());
            }
            body.set("usage", usage);
            cite(body, citations);
            Json.send(res, Status.OK_200, body);
            return;
        }
        start();
        Choice only = choices.get(0);
        for (int i = 0; i < only.toolCalls().size(); i++) {
            ToolCall call = only.toolCalls().get(i);
            ObjectNode head = chunk();
            head.withArray("choices").addObject().put("index", 0).putNull("finish_reason").putObject("delta")
                    .putArray("tool_calls").addObject().put("index", i).put("id", call.id()).put("type", "function")
                    .putObject("function").put("name", call.name()).put("arguments", "");
            event(head.toString());
            ObjectNode arguments = chunk();
            arguments.withArray("choices").addObject().put("index", 0).putNull("finish_reason").putObject("delta")
                    .putArray("tool_calls").addObject().put("index", i).putObject("function")
                    .put("arguments", call.argumentsJson());
            event(arguments.toString());
        }
        ObjectNode last = chunk();
        last.withArray("choices").addObject().put("index", 0).put("finish_reason", only.finishReason())
                .putObject("delta");
        cite(last, citations);
        event(last.toString());
        if (includeUsage) {
            ObjectNode u = chunk();
            u.set("usage", usage);
            event(u.toString());
        }
        event("[DONE]");
        close();
    }

    private static void cite(ObjectNode body, List<Citation> citations) {
        if (citations.isEmpty()) {
            return;
        }
        ArrayNode list = body.putArray("citations");
        for (Citation c : citations) {
            ObjectNode cited = list.addObject().put("document_id", c.documentId())
                    .put("document_title", c.documentTitle());
            c.section().ifPresentOrElse(s -> cited.put("section", s), () -> cited.putNull("section"));
        }
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

    /** A server-side failure ({@code api_error}). */
    void fail(int status, String message) {
        fail(status, "api_error", null, null, message);
    }

    /** An error in OpenAI's shape: a plain response, or the stream's last event when it has begun. */
    void fail(int status, String type, String param, String code, String message) {
        ObjectNode body = Json.object();
        ObjectNode error = body.putObject("error").put("message", message).put("type", type);
        error.put("param", param);
        error.put("code", code);
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
