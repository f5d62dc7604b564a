package dev.clawless.plugin.api;

import org.pf4j.ExtensionPoint;

/**
 * A tool the assistant can call: built-in ({@code knowledge_search}, {@code http_request}, …) or from a plugin.
 *
 * <p>Threading: one instance serves all calls, from many virtual threads at once. The hub runs each call with a
 * timeout; a call that throws or overruns becomes an error result for the model, never a failed turn.
 */
public interface ToolExtension extends ExtensionPoint {

    /** The tool's name, description, parameter schema and whether it is mutating. */
    ToolSpec spec();

    /**
     * Runs one call.
     *
     * @param call    the call, with its JSON arguments
     * @param context what the call may use
     * @return the result for the model; use {@link ToolResult#error} for failures the model should know about
     */
    ToolResult invoke(ToolCall call, ToolContext context);
}
