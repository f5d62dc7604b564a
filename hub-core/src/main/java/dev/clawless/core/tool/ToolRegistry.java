package dev.clawless.core.tool;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import dev.clawless.core.tenant.ApprovalPolicy;
import dev.clawless.core.tool.internal.HttpRequestTool;
import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolSpec;

/**
 * The tools a tenant's assistant may call: the built-ins, then the tools of the tenant's enabled plugin
 * installations (whose names never clash with a built-in's; the marketplace refuses that). Thread-safe.
 */
public final class ToolRegistry {

    private final Map<String, ToolExtension> builtIns = new LinkedHashMap<>();
    private final Function<String, List<ToolExtension>> pluginTools;

    public ToolRegistry(List<ToolExtension> builtIns) {
        this(builtIns, tenantId -> List.of());
    }

    /**
     * @param builtIns    the hub's own tools
     * @param pluginTools the tools a tenant's plugin installations offer now
     */
    public ToolRegistry(List<ToolExtension> builtIns, Function<String, List<ToolExtension>> pluginTools) {
        builtIns.forEach(t -> this.builtIns.put(t.spec().name(), t));
        this.pluginTools = pluginTools;
    }

    /** The built-in tools' names, which plugins may not take. */
    public Set<String> builtInNames() {
        return Set.copyOf(builtIns.keySet());
    }

    /** The specs the model is offered for the tenant. */
    public List<ToolSpec> specs(String tenantId) {
        List<ToolSpec> specs = new java.util.ArrayList<>(builtIns.values().stream().map(ToolExtension::spec).toList());
        for (ToolExtension t : pluginTools.apply(tenantId)) {
            if (!builtIns.containsKey(t.spec().name())) {
                specs.add(t.spec());
            }
        }
        return specs;
    }

    public Optional<ToolExtension> find(String tenantId, String name) {
        ToolExtension builtIn = builtIns.get(name);
        if (builtIn != null) {
            return Optional.of(builtIn);
        }
        return pluginTools.apply(tenantId).stream().filter(t -> t.spec().name().equals(name)).findFirst();
    }

    /** Whether a call must wait for an operator under the tenant's approval policy. */
    public static boolean needsApproval(ToolExtension tool, ToolCall call, ApprovalPolicy policy) {
        return switch (policy) {
            case ALWAYS -> true;
            case NEVER -> false;
            case MUTATING -> tool.spec().name().equals(HttpRequestTool.NAME) ? HttpRequestTool.isMutating(call)
                    : tool.spec().mutating();
        };
    }
}
