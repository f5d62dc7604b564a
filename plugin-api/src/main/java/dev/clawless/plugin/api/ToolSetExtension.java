package dev.clawless.plugin.api;

import java.util.List;
import java.util.Map;

import org.pf4j.ExtensionPoint;

/**
 * A family of tools whose number and shape depend on an installation's config, e.g. declarative HTTP tools: each
 * installation offers the tools its config describes. For a fixed tool, implement {@link ToolExtension} instead.
 *
 * <p>Threading: one instance serves every installation of the plugin version, from many virtual threads at once;
 * keep per-installation state out of fields and read it from the {@link ToolContext}.
 */
public interface ToolSetExtension extends ExtensionPoint {

    /**
     * The tools an installation with this config offers. Called when an installation is loaded or its config
     * changes; throw {@link IllegalArgumentException} with a clear message when the config cannot describe tools.
     *
     * @param config the installation's validated config (non-string values as JSON text)
     */
    List<ToolSpec> tools(Map<String, String> config);

    /**
     * Runs one call of one of the installation's tools ({@link ToolCall#name()} says which).
     *
     * @param call    the call, with its JSON arguments
     * @param context what the call may use, including the installation's config
     * @return the result for the model; use {@link ToolResult#error} for failures the model should know about
     */
    ToolResult invoke(ToolCall call, ToolContext context);
}
