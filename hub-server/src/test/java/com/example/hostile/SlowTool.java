package com.example.hostile;

import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.api.ToolSpec;

/** A tool that never finishes and ignores interruption: the turn must not wait for it. */
public class SlowTool implements ToolExtension {

    @Override
    public ToolSpec spec() {
        return new ToolSpec("slow_tool", "Takes forever.", "{\"type\":\"object\"}", false);
    }

    @Override
    public ToolResult invoke(ToolCall call, ToolContext context) {
        long end = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < end) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException ignored) {
                // deliberately rude
            }
        }
        return ToolResult.ok("finally");
    }
}
