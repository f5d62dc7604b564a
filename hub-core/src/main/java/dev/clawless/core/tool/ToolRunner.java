package dev.clawless.core.tool;

import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.core.store.Database;
import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;

/**
 * Runs one tool call on its own virtual thread with a timeout: a call that throws or overruns becomes an error
 * result for the model, never a failed turn. Every call is logged with its arguments (secret-looking fields
 * redacted), outcome, result size and duration. Thread-safe.
 */
public final class ToolRunner {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database database;
    private final Duration timeout;
    private final Clock clock;

    public ToolRunner(Database database, Duration timeout, Clock clock) {
        this.database = database;
        this.timeout = timeout;
        this.clock = clock;
    }

    public ToolResult run(ToolExtension tool, ToolCall call, ToolContext context) {
        long start = System.nanoTime();
        ToolResult result;
        String outcome;
        // a bare virtual thread: nothing waits for it after the timeout, even if the tool ignores interruption
        FutureTask<ToolResult> future = new FutureTask<>(() -> tool.invoke(call, context));
        Thread.ofVirtual().name("clawless-tool-" + call.name()).start(future);
        try {
            result = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            outcome = result.error() ? "error" : "ok";
        } catch (TimeoutException e) {
            future.cancel(true);
            result = ToolResult.error("the tool " + call.name() + " did not finish within " + timeout.toSeconds()
                    + " s");
            outcome = "timeout";
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            result = ToolResult.error("the tool " + call.name() + " failed: " + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
            outcome = "error";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result = ToolResult.error("interrupted");
            outcome = "error";
        }
        log(context, call, outcome, result, (System.nanoTime() - start) / 1_000_000);
        return result;
    }

    /** Records a call that did not run (waiting for approval, denied). */
    public void logSkipped(ToolContext context, ToolCall call, String outcome) {
        log(context, call, outcome, ToolResult.ok(""), 0);
    }

    private void log(ToolContext context, ToolCall call, String outcome, ToolResult result, long ms) {
        database.execute().createInsert("INSERT INTO tool_calls (tenant_id, conversation_id, tool, arguments, outcome,"
                        + " result_size, duration_ms, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                .params(context.tenantId(), context.conversationId().orElse(null), call.name(),
                        redact(call.argumentsJson()), outcome, result.content().length(), ms,
                        Database.timestamp(clock.instant().truncatedTo(ChronoUnit.MICROS)))
                .execute();
    }

    /**
     * The arguments with the values of secret-looking fields ({@code token}, {@code password}, …) masked, and a
     * {@code transcript} (a lead's conversation handed to a CRM) left out.
     */
    public static String redact(String argumentsJson) {
        try {
            JsonNode node = JSON.readTree(argumentsJson);
            redactNode(node);
            return node.toString();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return "\"(unparseable arguments)\"";
        }
    }

    private static void redactNode(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = e.getKey().toLowerCase(Locale.ROOT);
                if (key.contains("secret") || key.contains("token") || key.contains("password")
                        || key.contains("authorization") || key.contains("api_key") || key.contains("apikey")
                        || key.equals("transcript")) {
                    e.setValue(JSON.getNodeFactory().textNode("****"));
                } else {
                    redactNode(e.getValue());
                }
            }
        } else if (node != null && node.isArray()) {
            node.forEach(ToolRunner::redactNode);
        }
    }
}
