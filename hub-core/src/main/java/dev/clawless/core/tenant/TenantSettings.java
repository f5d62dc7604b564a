package dev.clawless.core.tenant;

import java.util.List;

/**
 * What a tenant configures for itself ({@code GET|PATCH /v1/tenant}).
 *
 * @param systemPrompt   prepended to every assistant turn
 * @param mode           the default assistant mode (e.g. {@code default}, {@code sales})
 * @param assistant      provider and model
 * @param allowedOrigins origins allowed to embed the widget ({@code https://shop.example})
 * @param approvalPolicy which tool calls need an operator's approval
 * @param modePrompts    extra system prompt per mode ({@code sales} → "You help customers buy…"), used when the
 *                       conversation is in that mode (the tenant's default mode, or one an intent selected)
 * @param workspace      the assistant's sandboxed workspace (off by default)
 */
public record TenantSettings(String systemPrompt, String mode, AssistantSettings assistant,
                             List<String> allowedOrigins, ApprovalPolicy approvalPolicy,
                             java.util.Map<String, String> modePrompts, WorkspaceSettings workspace) {

    public static final TenantSettings DEFAULT = new TenantSettings("", "default", AssistantSettings.DEFAULT,
            List.of(), ApprovalPolicy.MUTATING, java.util.Map.of(), WorkspaceSettings.OFF);

    public TenantSettings {
        allowedOrigins = List.copyOf(allowedOrigins);
        modePrompts = java.util.Map.copyOf(modePrompts);
        java.util.Objects.requireNonNull(workspace, "workspace");
    }

    /** Settings without a workspace. */
    public TenantSettings(String systemPrompt, String mode, AssistantSettings assistant, List<String> allowedOrigins,
                          ApprovalPolicy approvalPolicy, java.util.Map<String, String> modePrompts) {
        this(systemPrompt, mode, assistant, allowedOrigins, approvalPolicy, modePrompts, WorkspaceSettings.OFF);
    }
}
