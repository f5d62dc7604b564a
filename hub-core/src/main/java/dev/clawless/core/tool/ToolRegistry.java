package dev.clawless.core.tool;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.clawless.core.tenant.ApprovalPolicy;
import dev.clawless.core.tool.internal.HttpRequestTool;
import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolSpec;

/**
 * The tools a tenant's assistant may call: the built-ins now; tools of the tenant's enabled plugins join them with
 * the marketplace. Thread-safe.
 */
public final class ToolRegistry {

    private final Map<String, ToolExtension> builtIns = new LinkedHashMap<>();

    public ToolRegistry(List<ToolExtension> builtIns) {
        builtIns.forEach(t -> this.builtIns.put(t.spec().name(), t));
    }

    /** The specs the model is offered for the tenant. */
    public List<ToolSpec> specs(String tenantId) {
        return builtIns.values().stream().map(ToolExtension::spec).toList();
    }

    public Optional<ToolExtension> find(String tenantId, String name) {
        return Optional.ofNullable(builtIns.get(name));
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
