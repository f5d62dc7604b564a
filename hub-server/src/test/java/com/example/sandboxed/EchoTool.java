package com.example.sandboxed;

import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.api.ToolSpec;

/** A well-behaved plugin: says where it runs, what the tenant is, and a granted secret's length. */
public class EchoTool implements ToolExtension {

    @Override
    public ToolSpec spec() {
        return new ToolSpec("echo", "Echoes.", "{\"type\":\"object\"}", false);
    }

    @Override
    public ToolResult invoke(ToolCall call, ToolContext context) {
        System.out.println("echo called"); // must not break the sandbox's pipe
        return ToolResult.ok("echo from pid " + ProcessHandle.current().pid() + " for " + context.tenantId()
                + ", token length " + context.secret("token").map(String::length).orElse(-1));
    }
}
