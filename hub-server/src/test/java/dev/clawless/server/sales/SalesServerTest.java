package dev.clawless.server.sales;

import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.server.TestHub;
import dev.clawless.server.marketplace.PluginKit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.clawless.server.TestHub.await;
import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sales mode end to end against fakes of HubSpot's CRM v3 API, Twilio's Messages API and an OpenAI model: a
 * web chat visitor asks about a service, gives a name and an e-mail address when asked (the retrieval assistant asks
 * the form's questions in turn), becomes a qualified lead ({@code lead.qualified} to a webhook), is pushed to
 * HubSpot by the hubspot plugin through a 429 and a 503 (retried, the reason shown on the lead), is linked to its
 * HubSpot records, and moves to WhatsApp with the transfer's template; with an LLM the form is filled by structured
 * extraction; hostile forms and other tenants' ids are refused.
 */
public class SalesServerTest {

    public static final String TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555";
    public static final String ACCOUNT = "AC" + "d".repeat(32);
    public static final String MESSAGES = "/2010-04-01/Accounts/" + ACCOUNT + "/Messages.json";
    static WireMockServer platforms;
    static WireMockServer model;
    static TestHub hub;

    @BeforeAll
    static void start() {
        platforms = new WireMockServer(WireMockConfiguration.options().dynamicPort().globalTemplating(true));
        platforms.start();
        model = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        model.start();
        hubSpot(platforms);
        platforms.stubFor(post(urlEqualTo(MESSAGES)).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"sid\":\"SM{{randomValue length=32 type='HEXADECIMAL'}}\",\"status\":\"queued\"}")));
        platforms.stubFor(post(urlEqualTo("/webhooks/sales")).willReturn(aResponse().withStatus(200)));
        hub = TestHub.start(Map.of("CLAWLESS_NETWORK_ALLOW_PRIVATE_ADDRESSES", "true",
                "CLAWLESS_PROVIDERS_OPENAI_API_KEY", "sk-test", "CLAWLESS_PROVIDERS_OPENAI_BASE_URL",
                model.baseUrl() + "/v1", "CLAWLESS_PROVIDERS_OPENAI_DEFAULT_MODEL", "gpt-test"));
        PluginKit.publish(hub, hub.key(hub.tenant("Publisher"), "[\"plugins:admin\"]"), PluginKit.built("hubspot"));
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        platforms.stop();
        model.stop();
    }

    /** HubSpot's CRM v3 API: the contact search answers 429, then 503, then works; creates answer ids. */
    public static void hubSpot(WireMockServer fake) {
        fake.stubFor(post(urlEqualTo("/crm/v3/objects/contacts/search")).inScenario("crm")
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("limited").willReturn(aResponse().withStatus(429)
                        .withHeader("Retry-After", "1").withHeader("Content-Type", "application/json")
                        .withBody("{\"status\":\"error\",\"message\":\"You have reached your secondly limit.\"}")));
        fake.stubFor(post(urlEqualTo("/crm/v3/objects/contacts/search")).inScenario("crm")
                .whenScenarioStateIs("limited").willSetStateTo("up").willReturn(aResponse().withStatus(503)));
        fake.stubFor(post(urlEqualTo("/crm/v3/objects/contacts/search")).inScenario("crm").whenScenarioStateIs("up")
                .willReturn(okJson("{\"total\":0,\"results\":[]}")));
        fake.stubFor(post(urlEqualTo("/crm/v3/objects/deals/search")).willReturn(okJson("{\"total\":0,\"results\":[]}")));
        fake.stubFor(post(urlEqualTo("/crm/v3/objects/contacts")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"1501\",\"properties\":{}}")));
        fake.stubFor(post(urlEqualTo("/crm/v3/objects/deals")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"9001\"}")));
        fake.stubFor(post(urlEqualTo("/crm/v3/objects/notes")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"7001\"}")));
    }

    /** An agency tenant in sales mode: FAQ, the hubspot plugin, a WhatsApp connection and the lead form. */
    public record Agency(String tenant, String key, String publishableKey, String whatsapp) {
    }

    public static Agency agency(TestHub hub, String name, String crmBase, String twilioBase, boolean llm) {
        return agency(hub, name, crmBase, twilioBase, llm, "https://agencia.example");
    }

    /** The agency, its web chat embeddable on {@code origin}. */
    public static Agency agency(TestHub hub, String name, String crmBase, String twilioBase, boolean llm,
                                String origin) {
        String tenant = hub.tenant(name);
        String key = hub.key(tenant, "[\"chat\",\"knowledge:admin\",\"channels:admin\",\"conversations:read\","
                + "\"conversations:write\",\"plugins:admin\",\"tenant:admin\",\"usage:read\",\"webhooks:admin\"]");
        assertEquals(200, hub.call("PATCH", "/v1/tenant", key, "{\"settings\":{\"mode\":\"sales\",\"assistant\":"
                + "{\"provider\":\"" + (llm ? "openai" : "retrieval") + "\"}}}").statusCode());
        assertEquals(201, hub.call("POST", "/v1/knowledge/documents", key, "{\"title\":\"Servicios\",\"format\":\"faq\","
                + "\"content\":[{\"q\":\"¿Cuánto cuesta una tienda online?\",\"a\":\"Una tienda online cuesta desde"
                + " 4.000.000 COP, con pagos y envíos.\"},{\"q\":\"¿Hacen páginas web?\",\"a\":\"Sí: páginas"
                + " corporativas desde 1.500.000 COP.\"}]}").statusCode());
        PluginKit.install(hub, key, "hubspot", "1.0.0", "{\"api_base_url\":\"" + crmBase + "\",\"portal_id\":\"4242\"}",
                "{\"access_token\":\"" + TOKEN + "\"}");
        String pk = json(hub.call("POST", "/v1/channels", key, "{\"type\":\"webchat\",\"config\":{\"allowed_origins\":"
                + "[\"" + origin + "\"]}}")).get("publishable_key").asText();
        HttpResponse<String> wa = hub.call("POST", "/v1/channels", key, "{\"type\":\"whatsapp\",\"config\":{"
                + "\"provider\":\"twilio\",\"from\":\"whatsapp:+14155238886\",\"api_base_url\":\"" + twilioBase + "\"},"
                + "\"secrets\":{\"account_sid\":\"" + ACCOUNT + "\",\"auth_token\":\"tok\"}}");
        assertEquals(201, wa.statusCode(), wa.body());
        String whatsapp = json(wa).get("id").asText();
        HttpResponse<String> form = hub.call("PUT", "/v1/sales/lead-form", key, form(whatsapp));
        assertEquals(200, form.statusCode(), form.body());
        return new Agency(tenant, key, pk, whatsapp);
    }

    static String form(String whatsapp) {
        return """
                {"mode":"sales","qualify_at":50,"default_region":"CO",
                 "fields":[
                  {"name":"name","label":"Nombre","type":"name","required":true,"points":20,
                   "question":"Para preparar tu propuesta, ¿con quién tengo el gusto?"},
                  {"name":"email","label":"Correo","type":"email","required":true,"points":30,
                   "question":"¿A qué correo te enviamos la propuesta?"},
                  {"name":"phone","label":"Teléfono","type":"phone","points":10,"question":"¿Tu número de WhatsApp?"}],
                 "intent_points":{"ecommerce":30},
                 "crm":{"tool":"hubspot_push_lead","auto_push":true},
                 "whatsapp":{"connection_id":"%s","template":"HXsales",
                  "offer":"¡Gracias! ¿Seguimos por WhatsApp? Escríbeme tu número y te escribimos allí.",
                  "message":"¡Hola! Seguimos aquí la conversación de la web.",
                  "confirm":"Listo: te escribimos por WhatsApp. ¡Nos vemos allí!"},
                 "thanks":"¡Gracias! Te contactamos pronto."}""".formatted(whatsapp);
    }

    /** A web chat visitor: the session token and the conversation id. */
    public record Visitor(String token, String conversation) {
    }

    static Visitor visitor(String publishableKey) {
        JsonNode s = json(hub.send(hub.request("/widget/v1/sessions").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"publishable_key\":\"" + publishableKey + "\"}"))));
        return new Visitor(s.get("session_token").asText(), s.get("conversation_id").asText());
    }

    /** Sends {@code text} as the visitor and answers the assistant's reply to it. */
    static String say(Agency a, Visitor v, String text) {
        int before = assistantReplies(a, v).size();
        HttpResponse<String> sent = hub.send(hub.request("/widget/v1/messages").header("Content-Type",
                "application/json").header("Authorization", "Bearer " + v.token()).POST(HttpRequest.BodyPublishers
                .ofString("{\"text\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(text) + "}")));
        assertEquals(202, sent.statusCode(), sent.body());
        await("the reply to " + text, () -> assistantReplies(a, v).size() > before);
        return assistantReplies(a, v).get(before);
    }

    static List<String> assistantReplies(Agency a, Visitor v) {
        List<String> out = new ArrayList<>();
        json(hub.call("GET", "/v1/conversations/" + v.conversation() + "/messages?limit=200", a.key(), null))
                .get("data").forEach(m -> {
                    if (m.get("role").asText().equals("assistant")) {
                        out.add(m.get("text").asText());
                    }
                });
        return out;
    }

    static JsonNode lead(Agency a, Visitor v) {
        HttpResponse<String> r = hub.call("GET", "/v1/conversations/" + v.conversation() + "/lead", a.key(), null);
        assertEquals(200, r.statusCode(), r.body());
        return json(r);
    }

    @Test
    void aVisitorAsksGivesNameAndEmailIsPushedToHubSpotAndMovesToWhatsApp() throws Exception {
        // a HubSpot of its own: its 429 and 503 are this test's, whatever the other tests' leads do
        WireMockServer crm = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        crm.start();
        try {
            visitorFlow(crm);
        } finally {
            crm.stop();
        }
    }

    private static void visitorFlow(WireMockServer crm) throws Exception {
        hubSpot(crm);
        Agency a = agency(hub, "Agencia Web", crm.baseUrl(), platforms.baseUrl(), false);
        HttpResponse<String> hook = hub.call("POST", "/v1/webhooks", a.key(), "{\"url\":\"" + platforms.baseUrl()
                + "/webhooks/sales\",\"events\":[\"lead.qualified\"]}");
        assertEquals(201, hook.statusCode(), hook.body());
        Visitor v = visitor(a.publishableKey());

        String first = say(a, v, "Hola, ¿cuánto cuesta una tienda online?");
        assertTrue(first.contains("4.000.000 COP") && first.endsWith("¿con quién tengo el gusto?"), first);
        String second = say(a, v, "Me llamo Ana Gómez");
        assertEquals("¿A qué correo te enviamos la propuesta?", second);
        JsonNode half = lead(a, v);
        assertEquals("Ana Gómez", half.at("/answers/name").asText());
        assertFalse(half.get("qualified").asBoolean());
        assertEquals("email", half.get("asking").asText());

        String third = say(a, v, "ana.gomez@tienda.co");
        assertTrue(third.startsWith("¡Gracias! ¿Seguimos por WhatsApp?"), third);
        JsonNode qualified = lead(a, v);
        assertTrue(qualified.get("qualified").asBoolean(), qualified.toString());
        assertEquals(50, qualified.get("score").asInt());
        assertEquals("whatsapp_offer", qualified.get("asking").asText());

        // the push meets a 429 and a 503 first: the lead says so while it retries, then it is pushed
        List<String> seen = new ArrayList<>();
        await("the lead pushed to HubSpot", () -> {
            JsonNode push = lead(a, v).get("push");
            if (!push.get("error").isNull()) {
                seen.add(push.get("status").asText() + ": " + push.get("error").asText());
            }
            return push.get("status").asText().equals("pushed");
        });
        assertTrue(seen.stream().anyMatch(s -> s.startsWith("retrying: HubSpot's rate limit was reached (429)")),
                seen.toString());
        JsonNode pushed = lead(a, v);
        assertEquals(3, pushed.at("/push/attempts").asInt(), pushed.toString());
        assertEquals(1, crm.findAll(postRequestedFor(urlEqualTo("/crm/v3/objects/contacts"))).size());
        crm.verify(postRequestedFor(urlEqualTo("/crm/v3/objects/contacts"))
                .withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .withRequestBody(containing("ana.gomez@tienda.co")).withRequestBody(containing("\"firstname\":\"Ana\"")));
        String note = crm.findAll(postRequestedFor(urlEqualTo("/crm/v3/objects/notes"))).get(0).getBodyAsString();
        assertTrue(note.contains("cuánto cuesta una tienda online") || note.contains("cu\\u00E1nto"), note);
        assertEquals("https://app.hubspot.com/contacts/4242/record/0-1/1501", pushed.at("/crm_records/0/url").asText());
        JsonNode contact = json(hub.call("GET", "/v1/contacts/" + pushed.get("contact_id").asText(), a.key(), null));
        assertEquals(2, contact.get("crm_records").size(), contact.toString());
        assertEquals("9001", contact.at("/crm_records/1/id").asText());
        // the CRM's token stays with the plugin: nowhere in what the hub stores or shows
        assertFalse(pushed.toString().contains(TOKEN) || contact.toString().contains(TOKEN));
        for (String where : List.of("SELECT COUNT(*) FROM tool_calls WHERE arguments LIKE ?",
                "SELECT COUNT(*) FROM jobs WHERE last_error LIKE ? OR payload LIKE ?",
                "SELECT COUNT(*) FROM leads WHERE push_error LIKE ?",
                "SELECT COUNT(*) FROM conversation_events WHERE data LIKE ?")) {
            Object[] like = java.util.Collections.nCopies(where.split("\\?", -1).length - 1, "%" + TOKEN + "%")
                    .toArray();
            assertEquals(0L, hub.hub().database().execute().createGet(where).params(like).execute()
                    .map(r -> ((Number) r.column(1).get(Object.class)).longValue()).orElse(0L), where);
        }
        await("lead.qualified delivered to the webhook", () -> platforms.findAll(postRequestedFor(
                urlEqualTo("/webhooks/sales"))).size() == 1);
        String delivered = platforms.findAll(postRequestedFor(urlEqualTo("/webhooks/sales"))).get(0).getBodyAsString();
        assertTrue(delivered.contains("lead.qualified") && delivered.contains("ana.gomez@tienda.co"), delivered);

        // the visitor takes the offer with their number: the conversation moves to WhatsApp with the template
        String moved = say(a, v, "Sí, al +57 300 123 4567");
        assertEquals("Listo: te escribimos por WhatsApp. ¡Nos vemos allí!", moved);
        await("the WhatsApp template", () -> platforms.findAll(postRequestedFor(urlEqualTo(MESSAGES))).size() == 1);
        String sent = URLDecoder.decode(platforms.findAll(postRequestedFor(urlEqualTo(MESSAGES))).get(0)
                .getBodyAsString(), StandardCharsets.UTF_8);
        assertTrue(sent.contains("To=whatsapp:+573001234567") && sent.contains("ContentSid=HXsales"), sent);
        JsonNode done = lead(a, v);
        assertFalse(done.get("transferred_at").isNull());
        assertEquals("+573001234567", done.at("/answers/phone").asText());
        // the WhatsApp conversation carries the same lead
        JsonNode onWhatsApp = json(hub.call("GET", "/v1/conversations/" + done.get("transferred_to").asText() + "/lead",
                a.key(), null));
        assertEquals(done.get("id").asText(), onWhatsApp.get("id").asText());

        // the contact merged into another keeps its CRM records and its lead
        Visitor other = visitor(a.publishableKey());
        say(a, other, "¿Hacen páginas web?");
        String otherContact = json(hub.call("GET", "/v1/conversations/" + other.conversation(), a.key(), null))
                .get("contact_id").asText();
        HttpResponse<String> merged = hub.call("POST", "/v1/contacts/" + otherContact + "/merge", a.key(),
                "{\"contact_id\":\"" + pushed.get("contact_id").asText() + "\"}");
        assertEquals(200, merged.statusCode(), merged.body());
        assertEquals(2, json(merged).get("crm_records").size(), merged.body());
        assertEquals(otherContact, lead(a, v).get("contact_id").asText());

        JsonNode funnel = json(hub.call("GET", "/v1/usage", a.key(), null)).get("funnel");
        assertEquals(1, funnel.get("leads").asInt(), funnel.toString());
        assertEquals(1, funnel.get("qualified").asInt());
        assertEquals(1, funnel.get("transferred").asInt());
        assertEquals(1, funnel.get("pushed").asInt());
        assertEquals(2, funnel.get("conversations").asInt(), "the WhatsApp conversation is the same visitor: " + funnel);
    }

    @Test
    void withAnLlmTheFormIsFilledByStructuredExtraction() throws Exception {
        Agency a = agency(hub, "Agencia LLM", platforms.baseUrl(), platforms.baseUrl(), true);
        // the extraction call asks for the lead_form JSON schema; the turn itself gets the form's note
        model.stubFor(post(urlPathEqualTo("/v1/chat/completions")).withRequestBody(containing("lead_form"))
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream").withBody(stream(
                        "{\"name\":\"Carlos Ruiz\",\"email\":\"carlos@ferreteria.co\",\"phone\":\"nope\"}"))));
        model.stubFor(post(urlPathEqualTo("/v1/chat/completions")).withRequestBody(containing("filling a lead form"))
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream").withBody(stream(
                        "Claro, Carlos: una tienda online cuesta desde 4.000.000 COP."))));
        Visitor v = visitor(a.publishableKey());
        String reply = say(a, v, "Soy Carlos Ruiz de Ferretería Ruiz (carlos@ferreteria.co), ¿cuánto vale una tienda?");
        assertEquals("Claro, Carlos: una tienda online cuesta desde 4.000.000 COP.", reply);
        JsonNode lead = lead(a, v);
        assertEquals("Carlos Ruiz", lead.at("/answers/name").asText());
        assertEquals("carlos@ferreteria.co", lead.at("/answers/email").asText());
        assertTrue(lead.at("/answers/phone").isMissingNode(), "a value that is no phone number is dropped: " + lead);
        assertTrue(lead.get("qualified").asBoolean(), lead.toString());
        String turn = model.findAll(postRequestedFor(urlPathEqualTo("/v1/chat/completions"))
                .withRequestBody(containing("filling a lead form")).withRequestBody(containing("Carlos"))).get(0)
                .getBodyAsString();
        assertTrue(turn.contains("Nombre") && turn.contains("Carlos Ruiz") && turn.contains("Seguimos por WhatsApp"), turn);
    }

    @Test
    void aContactTheAssistantFindsInHubSpotIsLinkedToItsRecord() {
        WireMockServer crm = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        crm.start();
        try {
            crm.stubFor(post(urlEqualTo("/crm/v3/objects/contacts/search")).willReturn(okJson("{\"results\":[{\"id\":"
                    + "\"77\",\"properties\":{\"email\":\"pedro@obras.co\",\"firstname\":\"Pedro\"}}]}")));
            Agency a = agency(hub, "Agencia Busca", crm.baseUrl(), platforms.baseUrl(), true);
            model.stubFor(post(urlPathEqualTo("/v1/chat/completions")).atPriority(1)
                    .withRequestBody(containing("Buscar77")).withRequestBody(containing("filling a lead form"))
                    .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.notContaining("crm_records"))
                    .willReturn(aResponse().withHeader("Content-Type", "text/event-stream").withBody(PluginKit
                            .toolCallStream("hubspot_find_contact", "{\"email\":\"pedro@obras.co\"}"))));
            model.stubFor(post(urlPathEqualTo("/v1/chat/completions")).atPriority(1)
                    .withRequestBody(containing("Buscar77")).withRequestBody(containing("crm_records"))
                    .willReturn(aResponse().withHeader("Content-Type", "text/event-stream")
                            .withBody(stream("Ya te tengo registrado, Pedro."))));
            Visitor v = visitor(a.publishableKey());
            assertEquals("Ya te tengo registrado, Pedro.", say(a, v, "Buscar77: soy pedro@obras.co, ¿me tienen?"));
            String contact = json(hub.call("GET", "/v1/conversations/" + v.conversation(), a.key(), null))
                    .get("contact_id").asText();
            JsonNode records = json(hub.call("GET", "/v1/contacts/" + contact, a.key(), null)).get("crm_records");
            assertEquals(1, records.size(), records.toString());
            assertEquals("77", records.get(0).get("id").asText());
            assertEquals("https://app.hubspot.com/contacts/4242/record/0-1/77", records.get(0).get("url").asText());
        } finally {
            crm.stop();
        }
    }

    @Test
    void onMessengerTheModelIsToldUntilWhenItMayWrite() throws Exception {
        Agency a = agency(hub, "Agencia Messenger", platforms.baseUrl(), platforms.baseUrl(), true);
        model.stubFor(post(urlPathEqualTo("/v1/chat/completions")).withRequestBody(containing("lead_form"))
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream").withBody(stream("{}"))));
        model.stubFor(post(urlPathEqualTo("/v1/chat/completions")).withRequestBody(containing("filling a lead form"))
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream").withBody(stream("¡Hola!"))));
        platforms.stubFor(post(urlEqualTo("/v21.0/me/messages")).willReturn(okJson(
                "{\"recipient_id\":\"6783412938478812\",\"message_id\":\"m_window\"}")));
        String secret = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
        HttpResponse<String> created = hub.call("POST", "/v1/channels", a.key(), "{\"type\":\"messenger\",\"config\":"
                + "{\"page_id\":\"108117524567325\",\"api_base_url\":\"" + platforms.baseUrl() + "\"},\"secrets\":"
                + "{\"page_access_token\":\"EAAPtoken\",\"app_secret\":\"" + secret + "\",\"verify_token\":\"v\"}}");
        assertEquals(201, created.statusCode(), created.body());
        byte[] body;
        try (java.io.InputStream in = getClass().getResourceAsStream("/fixtures/messenger/text.json")) {
            body = in.readAllBytes();
        }
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        assertEquals(200, hub.send(hub.request("/hooks/" + json(created).get("id").asText())
                .header("Content-Type", "application/json").header("X-Hub-Signature-256", "sha256="
                        + java.util.HexFormat.of().formatHex(mac.doFinal(body)))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))).statusCode());
        await("the Messenger reply", () -> !platforms.findAll(postRequestedFor(urlEqualTo("/v21.0/me/messages"))
                .withRequestBody(containing("Hola!"))).isEmpty());
        String turn = model.findAll(postRequestedFor(urlPathEqualTo("/v1/chat/completions"))
                .withRequestBody(containing("filling a lead form")).withRequestBody(containing("messenger"))).get(0)
                .getBodyAsString();
        assertTrue(turn.contains("reply window") && turn.contains("a person from the team can until"), turn);
    }

    @Test
    void hostileFormsAndOtherTenantsIdsAreRefused() {
        Agency a = agency(hub, "Agencia Hostil", platforms.baseUrl(), platforms.baseUrl(), false);
        String other = hub.key(hub.tenant("Otra"), "[\"conversations:read\",\"conversations:write\",\"tenant:admin\"]");
        for (String body : List.of("[]", "{}", "{\"fields\":[]}", "{\"fields\":\"x\"}",
                "{\"fields\":[{\"name\":\"Name\",\"question\":\"?\"}]}",
                "{\"fields\":[{\"name\":\"a\",\"question\":\"q\"},{\"name\":\"a\",\"question\":\"q\"}]}",
                "{\"fields\":[{\"name\":\"a\"}]}", "{\"fields\":[{\"name\":\"a\",\"question\":\"q\",\"type\":\"sql\"}]}",
                "{\"fields\":[{\"name\":\"a\",\"question\":\"q\",\"points\":1000}]}",
                "{\"fields\":[{\"name\":\"a\",\"question\":\"q\"}],\"qualify_at\":-1}",
                "{\"fields\":[{\"name\":\"a\",\"question\":\"q\"}],\"default_region\":\"colombia\"}",
                "{\"fields\":[{\"name\":\"a\",\"question\":\"q\"}],\"crm\":{\"tool\":\"../x\"}}",
                "{\"fields\":[{\"name\":\"a\",\"question\":\"q\"}],\"whatsapp\":{}}",
                "{\"fields\":[{\"name\":\"a\",\"question\":\"q\"}],\"whatsapp\":{\"connection_id\":\"chn_nope\"}}",
                "{\"fields\":[{\"name\":\"a\",\"question\":\"q\"}],\"intent_points\":{\"x\":\"ten\"}}",
                "{\"fields\":[{\"name\":\"a\",\"question\":\"" + "q".repeat(600) + "\"}]}",
                "{\"fields\":[{\"name\":\"a\",\"question\":\"q\"}],\"unknown\":1}", "not json")) {
            HttpResponse<String> r = hub.call("PUT", "/v1/sales/lead-form", a.key(), body);
            assertEquals(400, r.statusCode(), body + " → " + r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        }
        // a WhatsApp connection of another tenant is not one of this tenant's
        assertEquals(400, hub.call("PUT", "/v1/sales/lead-form", other, form(a.whatsapp())).statusCode());
        assertEquals(50, json(hub.call("GET", "/v1/sales/lead-form", a.key(), null)).get("qualify_at").asInt(),
                "the good form is still in place");

        Visitor v = visitor(a.publishableKey());
        say(a, v, "Me interesa una página web");
        String lead = lead(a, v).get("id").asText();
        assertEquals(404, hub.call("GET", "/v1/leads/" + lead, other, null).statusCode());
        assertEquals(404, hub.call("POST", "/v1/leads/" + lead + "/push", other, null).statusCode());
        assertEquals(404, hub.call("GET", "/v1/conversations/" + v.conversation() + "/lead", other, null).statusCode());
        assertEquals(404, hub.call("GET", "/v1/leads/not-an-id", a.key(), null).statusCode());
        assertEquals(404, hub.call("GET", "/v1/leads/lead_%3Cscript%3E", a.key(), null).statusCode());
        assertEquals(400, hub.call("GET", "/v1/leads?limit=5000", a.key(), null).statusCode());
        assertEquals(1, json(hub.call("GET", "/v1/leads", a.key(), null)).get("data").size());
        assertEquals(0, json(hub.call("GET", "/v1/leads?qualified=true", a.key(), null)).get("data").size());
        // a push by hand is accepted once; a second while it is queued is a conflict
        HttpResponse<String> push = hub.call("POST", "/v1/leads/" + lead + "/push", a.key(), null);
        assertEquals(202, push.statusCode(), push.body());
        HttpResponse<String> again = hub.call("POST", "/v1/leads/" + lead + "/push", a.key(), null);
        assertTrue(again.statusCode() == 409 || again.statusCode() == 202, again.body());
        // the lead has no e-mail address: the plugin refuses and the lead says why, without retrying
        await("the refusal", () -> json(hub.call("GET", "/v1/leads/" + lead, a.key(), null)).at("/push/status")
                .asText().equals("failed"));
        JsonNode failed = json(hub.call("GET", "/v1/leads/" + lead, a.key(), null));
        assertTrue(failed.at("/push/error").asText().contains("no e-mail address"), failed.toString());
        assertEquals(1, failed.at("/push/attempts").asInt());
    }

    /** An OpenAI streaming answer of {@code text}. */
    static String stream(String text) {
        String content = com.fasterxml.jackson.databind.node.TextNode.valueOf(text).toString();
        return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-test\",\"choices\":"
                + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":" + content + "},\"finish_reason\":null}]}\n\n"
                + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-test\",\"choices\":"
                + "[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
    }
}
