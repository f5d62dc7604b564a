package com.example.clawless.hello;

import org.pf4j.Extension;

import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.api.ToolSpec;

/**
 * A tool the assistant can call: greets someone, in the language the installation's config names. Copy this module,
 * rename the package, the class and {@code plugin.id}, and describe the plugin in {@code clawless-plugin.json}.
 */
@Extension
public final class HelloTool implements ToolExtension {

    @Override
    public ToolSpec spec() {
        return new ToolSpec("hello", "Greet a person by name.", """
                {"type":"object","required":["name"],"properties":{"name":{"type":"string"}}}""", false);
    }

    @Override
    public ToolResult invoke(ToolCall call, ToolContext context) {
        // plugin-api is JDK-only; a plugin that parses much JSON would bundle a library under lib/
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"name\"\\s*:\\s*\"([^\"\\\\]{1,100})\"")
                .matcher(call.argumentsJson());
        if (!m.find()) {
            return ToolResult.error("name is required: {\"name\": \"Ada\"}");
        }
        String greeting = context.config().getOrDefault("greeting", "Hello").replaceAll("[\"\\\\]", "");
        return ToolResult.ok("{\"text\":\"" + greeting + ", " + m.group(1) + "!\"}");
    }
}
