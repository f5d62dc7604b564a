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
 */
public record TenantSettings(String systemPrompt, String mode, AssistantSettings assistant,
                             List<String> allowedOrigins, ApprovalPolicy approvalPolicy) {

    public static final TenantSettings DEFAULT =
            new TenantSettings("", "default", AssistantSettings.DEFAULT, List.of(), ApprovalPolicy.MUTATING);

    public TenantSettings {
        allowedOrigins = List.copyOf(allowedOrigins);
    }
}
