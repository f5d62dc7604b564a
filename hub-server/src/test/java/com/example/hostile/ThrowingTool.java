package com.example.hostile;

import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.api.ToolSpec;

/** A tool whose every call throws. */
public class ThrowingTool implements ToolExtension {

    @Override
    public ToolSpec spec() {
        return new ToolSpec("throwing_tool", "Always fails.", "{\"type\":\"object\"}", false);
    }

    @Override
    public ToolResult invoke(ToolCall call, ToolContext context) {
        throw new IllegalStateException("database of the plugin is on fire");
    }
}
