package dev.clawless.core.tenant;

import java.util.List;

/**
 * Whether the tenant's assistant has a workspace (a sandboxed folder and shell per conversation: the
 * {@code workspace_*} tools), and the hosts its commands may reach (through the hub's egress guard; patterns as
 * plugins declare them, e.g. {@code github.com}, {@code *.example.com}). Off by default.
 *
 * @param enabled whether the workspace tools are offered
 * @param hosts   the hosts commands may reach; none means no network at all
 */
public record WorkspaceSettings(boolean enabled, List<String> hosts) {

    public static final WorkspaceSettings OFF = new WorkspaceSettings(false, List.of());

    public WorkspaceSettings {
        hosts = List.copyOf(hosts);
    }
}
