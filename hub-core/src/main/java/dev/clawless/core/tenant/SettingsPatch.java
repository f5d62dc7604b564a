package dev.clawless.core.tenant;

import java.util.List;
import java.util.Optional;

/**
 * A partial change of {@link TenantSettings}: each present field replaces the stored one; the assistant merges field
 * by field.
 */
public record SettingsPatch(Optional<String> systemPrompt, Optional<String> mode,
                            Optional<AssistantPatch> assistant, Optional<List<String>> allowedOrigins,
                            Optional<ApprovalPolicy> approvalPolicy,
                            Optional<java.util.Map<String, String>> modePrompts,
                            Optional<WorkspaceSettings> workspace) {

    public static final SettingsPatch NONE = new SettingsPatch(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    /** A patch of the first six settings only. */
    public SettingsPatch(Optional<String> systemPrompt, Optional<String> mode, Optional<AssistantPatch> assistant,
                         Optional<List<String>> allowedOrigins, Optional<ApprovalPolicy> approvalPolicy,
                         Optional<java.util.Map<String, String>> modePrompts) {
        this(systemPrompt, mode, assistant, allowedOrigins, approvalPolicy, modePrompts, Optional.empty());
    }

    /** A patch of the first five settings only. */
    public SettingsPatch(Optional<String> systemPrompt, Optional<String> mode, Optional<AssistantPatch> assistant,
                         Optional<List<String>> allowedOrigins, Optional<ApprovalPolicy> approvalPolicy) {
        this(systemPrompt, mode, assistant, allowedOrigins, approvalPolicy, Optional.empty(), Optional.empty());
    }

    public TenantSettings applyTo(TenantSettings current) {
        return new TenantSettings(systemPrompt.orElse(current.systemPrompt()), mode.orElse(current.mode()),
                assistant.map(a -> a.applyTo(current.assistant())).orElse(current.assistant()), allowedOrigins.orElse(current.allowedOrigins()),
                approvalPolicy.orElse(current.approvalPolicy()), modePrompts.orElse(current.modePrompts()),
                workspace.orElse(current.workspace()));
    }
}
