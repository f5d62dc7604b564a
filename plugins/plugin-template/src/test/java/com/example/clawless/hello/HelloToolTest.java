package com.example.clawless.hello;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolContext;
import dev.clawless.plugin.api.ToolResult;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Unit-test a tool without a hub: call it with the context an installation would give it. */
class HelloToolTest {

    private static ToolContext context(Map<String, String> config) {
        return new ToolContext() {
            public String tenantId() {
                return "ten_test";
            }

            public Optional<String> conversationId() {
                return Optional.of("cnv_test");
            }

            public Map<String, String> config() {
                return config;
            }

            public Optional<String> secret(String name) {
                return Optional.empty();
            }

            public System.Logger logger() {
                return System.getLogger("hello-template");
            }

            public java.net.http.HttpResponse<byte[]> http(java.net.http.HttpRequest request) {
                throw new SecurityException("this tool calls no host");
            }
        };
    }

    @Test
    void greetsWithTheConfiguredGreeting() {
        ToolResult r = new HelloTool().invoke(new ToolCall("call_1", "hello", "{\"name\": \"Ada\"}"),
                context(Map.of("greeting", "Hola")));
        assertEquals("{\"text\":\"Hola, Ada!\"}", r.content());
        assertTrue(new HelloTool().invoke(new ToolCall("call_2", "hello", "{}"), context(Map.of())).error());
    }
}
