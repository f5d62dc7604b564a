package clawless.plugins.httptools;

import java.util.List;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.api.ToolSpec;
import dev.clawless.plugin.testkit.TestToolContext;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpToolsTest {

    private static WireMockServer fake;

    @BeforeAll
    static void start() {
        fake = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        fake.start();
    }

    @AfterAll
    static void stop() {
        fake.stop();
    }

    private static String tools() {
        return "[{\"name\":\"get_order\",\"description\":\"Look up an order\",\"url\":\"" + fake.baseUrl()
                + "/orders/{order_id}\",\"parameters\":{\"type\":\"object\",\"required\":[\"order_id\"],"
                + "\"properties\":{\"order_id\":{\"type\":\"string\"}}},"
                + "\"headers\":{\"Authorization\":\"Bearer {{secret.api_token}}\"}},"
                + "{\"name\":\"create_ticket\",\"description\":\"Open a ticket\",\"method\":\"POST\",\"url\":\""
                + fake.baseUrl() + "/tickets\"}]";
    }

    @Test
    void toolsComeFromTheConfigAndNonGetIsMutating() {
        List<ToolSpec> specs = new HttpTools().tools(Map.of("tools", tools()));
        assertEquals(List.of("get_order", "create_ticket"), specs.stream().map(ToolSpec::name).toList());
        assertFalse(specs.get(0).mutating());
        assertTrue(specs.get(1).mutating());
        assertThrows(IllegalArgumentException.class, () -> new HttpTools().tools(Map.of("tools",
                "[{\"name\":\"x\",\"description\":\"d\",\"url\":\"https://a.example/{{secret.api_token}}\"}]")));
    }

    @Test
    void argumentsCannotChangeTheHostAndBadDefinitionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new HttpTools().tools(Map.of("tools",
                "[{\"name\":\"x\",\"description\":\"d\",\"url\":\"https://api.example.com{p}/x\"}]")));
        assertThrows(IllegalArgumentException.class, () -> new HttpTools().tools(Map.of("tools",
                "[{\"name\":\"x\",\"description\":\"d\",\"url\":\"https://a.example/x\","
                        + "\"headers\":{\"Bad Name\":\"v\"}}]")));
        String tools = "[{\"name\":\"item\",\"description\":\"d\",\"url\":\"" + fake.baseUrl()
                + "/items/{id}\"}]";
        TestToolContext context = TestToolContext.builder().config("tools", tools).hosts("*")
                .allowPrivateAddresses().build();
        ToolResult dots = new HttpTools().invoke(new ToolCall("1", "item", "{\"id\":\"..\"}"), context);
        assertTrue(dots.error(), dots.content());
        fake.stubFor(get(urlPathEqualTo("/items/%40evil.example")).willReturn(aResponse().withStatus(200)
                .withBody("{}")));
        ToolResult at = new HttpTools().invoke(new ToolCall("1", "item", "{\"id\":\"@evil.example\"}"), context);
        assertFalse(at.error(), at.content()); // encoded into the path, the host stays
    }

    @Test
    void aGetFillsTheTemplateAndTheSecretHeader() {
        fake.stubFor(get(urlPathEqualTo("/orders/A%2017")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"status\":\"shipped\"}")));
        TestToolContext context = TestToolContext.builder().config("tools", tools()).secret("api_token", "t-123")
                .hosts("*").allowPrivateAddresses().build();
        ToolResult r = new HttpTools().invoke(new ToolCall("1", "get_order", "{\"order_id\":\"A 17\",\"verbose\":true}"),
                context);
        assertFalse(r.error(), r.content());
        assertEquals("{\"status\":200,\"body\":{\"status\":\"shipped\"}}", r.content());
        fake.verify(getRequestedFor(urlEqualTo("/orders/A%2017?verbose=true"))
                .withHeader("Authorization", equalTo("Bearer t-123")));
    }

    @Test
    void aPostSendsTheArgumentsAsJsonAndA4xxIsAnError() {
        fake.stubFor(post(urlEqualTo("/tickets")).willReturn(aResponse().withStatus(422)
                .withBody("{\"error\":\"title is required\"}")));
        TestToolContext context = TestToolContext.builder().config("tools", tools()).hosts("*")
                .allowPrivateAddresses().build();
        ToolResult r = new HttpTools().invoke(new ToolCall("1", "create_ticket", "{\"priority\":\"high\"}"), context);
        assertTrue(r.error());
        assertTrue(r.content().contains("422") && r.content().contains("title is required"), r.content());
        fake.verify(postRequestedFor(urlEqualTo("/tickets")).withRequestBody(equalToJson("{\"priority\":\"high\"}")));
    }

    @Test
    void aMissingSecretOrPrivateAddressIsRefused() {
        TestToolContext noSecret = TestToolContext.builder().config("tools", tools()).hosts("*")
                .allowPrivateAddresses().build();
        ToolResult r = new HttpTools().invoke(new ToolCall("1", "get_order", "{\"order_id\":\"1\"}"), noSecret);
        assertTrue(r.error() && r.content().contains("api_token"), r.content());
        TestToolContext strict = TestToolContext.builder().config("tools", tools()).secret("api_token", "t")
                .hosts("*").build();
        assertThrows(SecurityException.class, () -> new HttpTools().invoke(new ToolCall("1", "get_order",
                "{\"order_id\":\"1\"}"), strict));
    }
}
