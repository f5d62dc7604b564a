package dev.clawless.core.marketplace.internal;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;

import dev.clawless.core.security.NetworkGuard;
import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.api.ToolSpec;

/**
 * A plugin's tool as one tenant's installation offers it: the spec (marked mutating when the descriptor says so)
 * and a call that runs with the plugin's class loader as context class loader and a {@link PluginToolContext}
 * holding only the installation's grants, whatever context the turn passes in.
 */
public final class InstalledTool implements ToolExtension {

    /** What an installation grants its tool calls. */
    public record Scope(String tenantId, String installationId, String pluginId, Map<String, String> config,
                        Supplier<Map<String, String>> secrets, List<String> hosts, NetworkGuard guard,
                        ClassLoader classLoader) {

        public Scope {
            config = Map.copyOf(config);
            hosts = List.copyOf(hosts);
        }
    }

    private final ToolSpec spec;
    private final BiFunction<ToolCall, ToolContext, ToolResult> invoker;
    private final Scope scope;

    public InstalledTool(ToolSpec spec, BiFunction<ToolCall, ToolContext, ToolResult> invoker, Scope scope) {
        this.spec = spec;
        this.invoker = invoker;
        this.scope = scope;
    }

    @Override
    public ToolSpec spec() {
        return spec;
    }

    /** The installation the tool belongs to. */
    public String installationId() {
        return scope.installationId();
    }

    @Override
    public ToolResult invoke(ToolCall call, ToolContext turn) {
        PluginToolContext context = new PluginToolContext(scope.tenantId(), turn.conversationId(),
                scope.installationId(), scope.pluginId(), scope.config(), scope.secrets(), scope.hosts(),
                scope.guard());
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(scope.classLoader());
        try {
            ToolResult result = invoker.apply(call, context);
            return result == null ? ToolResult.error("the tool " + call.name() + " returned nothing")
                    : withoutSecrets(result, scope.secrets().get());
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /**
     * The result with every granted secret's value masked: whatever a plugin echoes (a CRM's error quoting the
     * token) reaches neither the model, nor the tool log, nor a lead's push error.
     */
    static ToolResult withoutSecrets(ToolResult result, java.util.Map<String, String> secrets) {
        String content = result.content();
        for (String value : secrets.values()) {
            if (value != null && value.length() >= 6 && content.contains(value)) {
                content = content.replace(value, "****");
            }
        }
        return content.equals(result.content()) ? result : new ToolResult(content, result.error());
    }
}
