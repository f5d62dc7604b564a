package dev.clawless.server.marketplace;

import java.util.Map;

import com.example.hostile.LocalCallTool;
import com.example.sandboxed.EscapeTool;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.plugin.api.ToolResult;
import dev.clawless.server.Bubblewrap;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same slack-channel JAR, unchanged, in a sandbox: every test of {@link SlackPluginServerTest} again, with the
 * plugin in its own JVM under bubblewrap, its calls to the (fake) Slack Web API going out through the hub's egress.
 * And sandboxed tools reaching a declared host both ways a plugin can: {@code ToolContext.http} (the hub's guarded
 * client) and a plain {@code HttpClient} (the egress proxy).
 */
class SandboxedSlackPluginServerTest extends SlackPluginServerTest {

    @BeforeAll
    static void start() {
        Bubblewrap.requireOrSkip();
        startWith(Map.of("CLAWLESS_MARKETPLACE_ISOLATION", "all"));
    }

    @Test
    void aSandboxedToolReachesADeclaredHostThroughTheHub() {
        slack.stubFor(any(urlPathEqualTo("/public")).willReturn(aResponse().withStatus(200).withBody("hello")));
        String key = hub.key(hub.tenant("Fetching"), "[\"plugins:admin\",\"tenant:admin\"]");
        String publisher = hub.key(hub.tenant("Fetch publisher"), "[\"plugins:admin\"]");
        // no declared hosts: the installation's own API base (here the fake, on localhost) is the one host it may reach
        String descriptor = "{\"display_name\":\"Fetcher\",\"description\":\"Fetches.\",\"hosts\":[],"
                + "\"config_schema\":{\"type\":\"object\",\"properties\":{\"api_base_url\":{\"type\":\"string\","
                + "\"format\":\"uri\"}}}}";
        PluginKit.publish(hub, publisher, PluginKit.pack("sandboxed-fetcher", "1.0.0", null, descriptor,
                LocalCallTool.class, EscapeTool.class));
        PluginKit.install(hub, key, "sandboxed-fetcher", "1.0.0", "{\"api_base_url\":\"http://localhost:"
                + slack.port() + "\"}", "{}");
        String tenant = json(hub.call("GET", "/v1/tenant", key, null)).get("id").asText();

        ToolResult viaContext = call(tenant, "fetch_url", "{\"url\":\"http://localhost:" + slack.port() + "/public\"}");
        assertEquals("hello", viaContext.content(), viaContext.toString());
        ToolResult viaProxy = call(tenant, "escape", "{\"how\":\"http\",\"target\":\"http://localhost:" + slack.port()
                + "/public\"}");
        assertTrue(viaProxy.content().endsWith("200 hello"), viaProxy.toString());
        slack.verify(2, anyRequestedFor(urlPathEqualTo("/public")));

        // an undeclared host, even one that resolves to the same place, is refused by both ways
        // (the plugin's call fails with the hub's SecurityException, as it does in process; a turn makes it a tool error)
        SecurityException undeclared = assertThrows(SecurityException.class, () -> call(tenant, "fetch_url",
                "{\"url\":\"http://127.0.0.1:" + slack.port() + "/public\"}"));
        assertTrue(undeclared.getMessage().contains("did not declare the host 127.0.0.1"), undeclared.toString());
        ToolResult undeclaredProxy = call(tenant, "escape", "{\"how\":\"http\",\"target\":\"http://127.0.0.1:"
                + slack.port() + "/public\"}");
        assertTrue(undeclaredProxy.content().contains("status 403"), undeclaredProxy.toString());
        assertFalse(undeclaredProxy.content().contains("hello"), undeclaredProxy.toString());
        slack.verify(2, anyRequestedFor(urlPathEqualTo("/public")));
    }

    private static ToolResult call(String tenant, String tool, String args) {
        return PluginKit.invoke(hub, tenant, tool, args);
    }
}
