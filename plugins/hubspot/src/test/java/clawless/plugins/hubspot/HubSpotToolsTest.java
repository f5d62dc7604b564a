package clawless.plugins.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;
import dev.clawless.plugin.testkit.TestToolContext;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HubSpot tools against a fake CRM v3 API, through the test kit's guarded context. */
class HubSpotToolsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "pat-na1-secret-token-0001";
    private static final String LEAD = "{\"lead_id\":\"lead_7\",\"score\":70,\"fields\":{\"name\":\"Ana María Gómez\","
            + "\"email\":\"ana@tienda.co\",\"phone\":\"+573001234567\",\"need\":\"tienda online\"},\"labels\":{\"name\":"
            + "\"Nombre\"},\"intents\":[\"ecommerce\"],\"channel\":\"webchat\",\"transcript\":\"Customer: <b>hola</b>\\nUs:"
            + " ¡Hola!\"}";
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

    @BeforeEach
    void reset() {
        fake.resetAll();
        fake.stubFor(post(urlEqualTo("/crm/v3/objects/contacts/search")).willReturn(okJson("{\"total\":0,\"results\":[]}")));
        fake.stubFor(post(urlEqualTo("/crm/v3/objects/deals/search")).willReturn(okJson("{\"total\":0,\"results\":[]}")));
        fake.stubFor(post(urlEqualTo("/crm/v3/objects/contacts")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"1501\",\"properties\":{}}")));
        fake.stubFor(post(urlEqualTo("/crm/v3/objects/deals")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"9001\"}")));
        fake.stubFor(post(urlEqualTo("/crm/v3/objects/notes")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"7001\"}")));
    }

    private static TestToolContext context() {
        return TestToolContext.builder().config("api_base_url", fake.baseUrl()).config("portal_id", "4242")
                .secret("access_token", TOKEN).hosts("api.hubapi.com", "127.0.0.1", "localhost")
                .allowPrivateAddresses().build();
    }

    private static ToolResult call(ToolExtension tool, String args) {
        return tool.invoke(new ToolCall("c1", tool.spec().name(), args), context());
    }

    @Test
    void aNewLeadBecomesAContactADealAndANote() throws Exception {
        ToolResult r = call(new PushLeadTool(), LEAD);
        assertFalse(r.error(), r.content());
        JsonNode out = JSON.readTree(r.content());
        assertEquals("1501", out.get("contact_id").asText());
        assertEquals("9001", out.get("deal_id").asText());
        assertEquals("https://app.hubspot.com/contacts/4242/record/0-1/1501", out.at("/crm_records/0/url").asText());
        assertEquals("deal", out.at("/crm_records/1/object_type").asText());
        fake.verify(postRequestedFor(urlEqualTo("/crm/v3/objects/contacts"))
                .withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .withRequestBody(matchingJsonPath("$.properties.firstname", equalTo("Ana")))
                .withRequestBody(matchingJsonPath("$.properties.lastname", equalTo("María Gómez")))
                .withRequestBody(matchingJsonPath("$.properties.email", equalTo("ana@tienda.co"))));
        fake.verify(postRequestedFor(urlEqualTo("/crm/v3/objects/deals"))
                .withRequestBody(matchingJsonPath("$.properties.dealname", equalTo("Ana María Gómez — tienda online (lead_7)")))
                .withRequestBody(matchingJsonPath("$.associations[0].to.id", equalTo("1501"))));
        String note = fake.findAll(postRequestedFor(urlEqualTo("/crm/v3/objects/notes"))).get(0).getBodyAsString();
        assertTrue(note.contains("&lt;b&gt;hola&lt;/b&gt;") && !note.contains("<b>hola"), "the transcript is escaped: " + note);
        assertTrue(note.contains("Nombre: Ana"), note);
        assertFalse(r.content().contains(TOKEN));
    }

    @Test
    void aKnownContactGetsOnlyWhatHubSpotLacksAndTheDealIsNotMadeTwice() {
        fake.stubFor(post(urlEqualTo("/crm/v3/objects/contacts/search")).willReturn(okJson("{\"results\":[{\"id\":\"77\","
                + "\"properties\":{\"email\":\"ana@tienda.co\",\"firstname\":\"Ana M.\",\"phone\":\"\"}}]}")));
        fake.stubFor(post(urlEqualTo("/crm/v3/objects/deals/search")).willReturn(okJson("{\"results\":[{\"id\":\"555\"}]}")));
        fake.stubFor(patch(urlEqualTo("/crm/v3/objects/contacts/77")).willReturn(okJson("{\"id\":\"77\"}")));
        ToolResult r = call(new PushLeadTool(), LEAD);
        assertFalse(r.error(), r.content());
        assertTrue(r.content().contains("\"deal_id\":\"555\""), r.content());
        assertEquals(0, fake.findAll(postRequestedFor(urlEqualTo("/crm/v3/objects/contacts"))).size());
        assertEquals(0, fake.findAll(postRequestedFor(urlEqualTo("/crm/v3/objects/deals"))).size());
        String patched = fake.findAll(patchRequestedFor(urlEqualTo("/crm/v3/objects/contacts/77"))).get(0).getBodyAsString();
        assertTrue(patched.contains("+573001234567") && !patched.contains("firstname"), patched);
    }

    @Test
    void rateLimitsAndOutagesAreRetryableRefusalsAreNot() throws Exception {
        fake.stubFor(post(urlEqualTo("/crm/v3/objects/contacts/search")).willReturn(aResponse().withStatus(429)
                .withHeader("Retry-After", "3").withHeader("Content-Type", "application/json")
                .withBody("{\"status\":\"error\",\"message\":\"You have reached your secondly limit.\"}")));
        JsonNode limited = JSON.readTree(call(new PushLeadTool(), LEAD).content());
        assertTrue(limited.get("retryable").asBoolean());
        assertEquals(3, limited.get("retry_after_seconds").asInt());
        assertTrue(limited.get("message").asText().contains("429"), limited.toString());

        fake.stubFor(post(urlEqualTo("/crm/v3/objects/contacts/search")).willReturn(aResponse().withStatus(502)));
        assertTrue(JSON.readTree(call(new PushLeadTool(), LEAD).content()).get("retryable").asBoolean());

        fake.stubFor(post(urlEqualTo("/crm/v3/objects/contacts/search")).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"message\":\"Authentication credentials not found. " + TOKEN + "\"}")));
        ToolResult refused = call(new PushLeadTool(), LEAD);
        assertTrue(refused.error());
        assertFalse(JSON.readTree(refused.content()).get("retryable").asBoolean());
        assertFalse(refused.content().contains(TOKEN), "the token never appears in a result: " + refused.content());
    }

    @Test
    void theEmailIsFoundByWhatTheFieldHoldsWhateverItIsCalled() {
        ToolResult r = call(new PushLeadTool(), "{\"lead_id\":\"lead_8\",\"fields\":{\"nombre\":\"Luis Pérez\","
                + "\"correo\":\"luis@taller.co\"},\"types\":{\"nombre\":\"name\",\"correo\":\"email\"}}");
        assertFalse(r.error(), r.content());
        fake.verify(postRequestedFor(urlEqualTo("/crm/v3/objects/contacts"))
                .withRequestBody(matchingJsonPath("$.properties.email", equalTo("luis@taller.co")))
                .withRequestBody(matchingJsonPath("$.properties.firstname", equalTo("Luis"))));
    }

    @Test
    void theSmallToolsCheckTheirArguments() {
        assertTrue(call(new UpdateContactTool(), "{\"id\":\"../../x\",\"properties\":{\"phone\":\"1\"}}").error());
        assertTrue(call(new CreateContactTool(), "{\"firstname\":\"No mail\"}").error());
        assertTrue(call(new LogNoteTool(), "{\"contact_id\":\"1\",\"text\":\"\"}").error());
        assertTrue(call(new PushLeadTool(), "{\"lead_id\":\"l1\",\"fields\":{\"name\":\"Ana\"}}").error());
        assertTrue(call(new FindContactTool(), "not json").error());
        ToolResult noToken = new FindContactTool().invoke(new ToolCall("c", "hubspot_find_contact",
                "{\"email\":\"a@b.co\"}"), TestToolContext.builder().config("api_base_url", fake.baseUrl())
                .hosts("127.0.0.1").allowPrivateAddresses().build());
        assertTrue(noToken.error() && noToken.content().contains("access_token"), noToken.content());
        ToolResult found = call(new CreateDealTool(), "{\"name\":\"Web shop\",\"amount\":\"5000\",\"contact_id\":\"1501\"}");
        assertFalse(found.error(), found.content());
    }
}
