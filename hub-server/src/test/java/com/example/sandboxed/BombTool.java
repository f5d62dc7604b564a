package com.example.sandboxed;

import java.util.ArrayList;
import java.util.List;

import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.api.ToolSpec;

/** A plugin that takes without bound: memory (heap or native) or threads, until something stops it. */
public class BombTool implements ToolExtension {

    private static final List<Object> HOARD = new ArrayList<>();

    @Override
    public ToolSpec spec() {
        return new ToolSpec("bomb", "Takes everything.", "{\"type\":\"object\",\"properties\":{\"what\":"
                + "{\"type\":\"string\"}}}", false);
    }

    @Override
    public ToolResult invoke(ToolCall call, ToolContext context) {
        String what = call.argumentsJson().replaceAll(".*\"what\"\\s*:\\s*\"([^\"]+)\".*", "$1");
        switch (what) {
            case "heap" -> {
                while (true) {
                    HOARD.add(new byte[8 << 20]);
                }
            }
            case "threads" -> {
                while (true) {
                    Thread t = new Thread(() -> {
                        try {
                            Thread.sleep(Long.MAX_VALUE);
                        } catch (InterruptedException ignored) {
                            // keep the thread
                        }
                    });
                    t.start();
                    HOARD.add(t);
                }
            }
            default -> {
                return ToolResult.ok("nothing");
            }
        }
    }
}
