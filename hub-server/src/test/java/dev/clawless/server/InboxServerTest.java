package dev.clawless.server;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.DayOfWeek;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator inbox over HTTP, with the embedded assistant and the widget's API as the visitor: a hand-off the
 * visitor accepts lands live in the inbox, auto-assigned to the online agent; notes never reach the visitor, replies
 * and typing do; labels, canned responses, unread counts, search, contacts and their merge, CSAT after resolution,
 * business hours.
 */
class InboxServerTest {

    private static final String SHOP = "https://shop.example";
    static TestHub hub;
    private static Browser admin;

    @BeforeAll
    static void start() {
        start(Map.of());
    }

    static void start(Map<String, String> settings) {
        Map<String, String> all = new java.util.HashMap<>(settings);
        all.put("CLAWLESS_WIDGET_MESSAGES_PER_MINUTE", "1000");
        hub = TestHub.start(all);
        admin = Browser.firstAdmin(hub, "root@inbox.example");
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    /** A tenant with an FAQ, a webchat connection, an owner and an agent; answers them. */
    private record Shop(String tenant, String key, String connection, String publishableKey, Browser owner,
                        Browser agent) {
    }

    private static Shop shop(String name) {
        String tenant = hub.tenant(name);
        String key = hub.key(tenant, "[\"chat\",\"knowledge:admin\",\"channels:admin\",\"conversations:read\","
                + "\"conversations:write\"]");
        assertEquals(201, hub.call("POST", "/v1/knowledge/documents", key, "{\"title\":\"FAQ\",\"format\":\"faq\","
                + "\"content\":[{\"q\":\"Do you ship to Canada?\",\"a\":\"Yes, in about 7 days.\"}]}").statusCode());
        JsonNode c = json(hub.call("POST", "/v1/channels", key, "{\"type\":\"webchat\",\"config\":{"
                + "\"allowed_origins\":[\"" + SHOP + "\"]}}"));
        Browser owner = Browser.accept(hub, admin.invite(tenant, "owner-" + System.nanoTime() + "@x.example",
                "owner"), "Olivia Owner");
        Browser agent = Browser.accept(hub, admin.invite(tenant, "agent-" + System.nanoTime() + "@x.example",
                "agent"), "Alex Agent");
        return new Shop(tenant, key, c.get("id").asText(), c.get("publishable_key").asText(), owner, agent);
    }

    /** A visitor's widget session: {token, conversation id}. */
    private static String[] visitor(Shop s, String visitorId) {
        HttpResponse<String> r = hub.send(hub.request("/widget/v1/sessions").header("Origin", SHOP)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"publishable_key\":\"" + s.publishableKey() + "\",\"visitor_id\":\"" + visitorId
                                + "\",\"name\":\"Vera Visitor\"}")));
        assertEquals(200, r.statusCode(), r.body());
        return new String[] {json(r).get("session_token").asText(), json(r).get("conversation_id").asText()};
    }

    private static void say(String token, String text) {
        HttpResponse<String> r = hub.send(hub.request("/widget/v1/messages").header("Origin", SHOP)
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"" + text + "\"}")));
        assertEquals(202, r.statusCode(), r.body());
    }

    private static List<JsonNode> messages(Shop s, String conversation) {
        List<JsonNode> out = new ArrayList<>();
        json(hub.call("GET", "/v1/conversations/" + conversation + "/messages?limit=200", s.key(), null)).get("data")
                .forEach(out::add);
        return out;
    }

    private static void await(String what, BooleanSupplier condition) {
        TestHub.await(what, condition);
    }

    /** The line {@link #listen} adds when the hub ended the stream. */
    private static final String CLOSED = "<stream closed by the hub>";

    /** Reads an SSE stream on a virtual thread into a list of lines. */
    private static List<String> listen(HttpRequest request) {
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try (Stream<String> s = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofLines())
                    .body()) {
                s.forEach(lines::add);
                lines.add(CLOSED);
            } catch (IOException | InterruptedException ignored) {
                // the test is over
            }
        });
        return lines;
    }

    private static HttpRequest inboxStream(Browser b, String tenant) {
        return hub.request("/v1/inbox/events?tenant=" + tenant).header("Cookie", "clawless_session=" + b.cookie())
                .timeout(java.time.Duration.ofMinutes(2)).GET().build();
    }

    @Test
    void anAcceptedHandOffReachesTheOnlineAgentLiveAndTheConversationIsWorkedFromTheInbox() {
        Shop s = shop("Handoff Shop");
        assertEquals(200, s.owner().call("PUT", "/v1/channels/" + s.connection() + "/routing",
                "{\"auto_assign\":true}").statusCode());
        List<String> inbox = listen(inboxStream(s.agent(), s.tenant()));
        await("the agent's stream", () -> inbox.contains(": connected"));
        String[] v = visitor(s, "visitor-handoff-1");
        List<String> widget = listen(hub.request("/widget/v1/stream?session_token=" + v[0]).header("Origin", SHOP)
                .timeout(java.time.Duration.ofMinutes(2)).GET().build());
        say(v[0], "What is the meaning of life?");
        await("the offer of a person", () -> messages(s, v[1]).stream().anyMatch(m -> m.get("text").asText()
                .contains("connect you with a person")));
        say(v[0], "yes please");
        await("the hand-off on the agent's stream", () -> inbox.stream().anyMatch(l -> l.contains(
                "conversation.handoff")));
        assertTrue(inbox.stream().anyMatch(l -> l.contains(v[1]) && l.contains(s.agent().userId())),
                "auto-assigned to the online agent: " + inbox);
        JsonNode conversation = json(s.agent().call("GET", "/v1/conversations/" + v[1], null));
        assertEquals("human", conversation.get("status").asText());
        await("the contact told", () -> messages(s, v[1]).stream().anyMatch(m -> m.get("text").asText()
                .contains("colleague")));

        // the agent's inbox: assigned to them, waiting, unread
        JsonNode mine = json(s.agent().call("GET", "/v1/inbox?assignee=me&status=human", null)).get("data");
        assertEquals(1, mine.size(), mine.toString());
        assertEquals(v[1], mine.get(0).get("conversation").get("id").asText());
        assertEquals("Vera Visitor", mine.get(0).get("contact").get("display_name").asText());
        assertTrue(mine.get(0).get("unread").asLong() >= 2, mine.toString());
        assertFalse(mine.get(0).get("waiting_since").isNull());
        assertEquals(204, s.agent().call("POST", "/v1/conversations/" + v[1] + "/read", null).statusCode());
        assertEquals(0, json(s.agent().call("GET", "/v1/inbox?assignee=me", null)).get("data").get(0).get("unread")
                .asLong());
        assertEquals(0, json(s.agent().call("GET", "/v1/inbox?unread=true", null)).get("data").size());

        // a private note, typing, then the reply: the visitor sees typing and the reply, never the note
        String note = "<script>alert('note')</script> VIP, refund approved";
        assertEquals(201, s.agent().call("POST", "/v1/conversations/" + v[1] + "/notes", "{\"text\":\"" + note
                .replace("'", "\\u0027") + "\"}").statusCode());
        assertEquals(204, s.agent().call("POST", "/v1/conversations/" + v[1] + "/typing", null).statusCode());
        HttpResponse<String> reply = s.agent().call("POST", "/v1/conversations/" + v[1] + "/messages",
                "{\"text\":\"Hi Vera, Alex here. How can I help?\"}");
        assertEquals(201, reply.statusCode(), reply.body());
        assertEquals("Alex Agent", json(reply).get("metadata").get("author_name").asText());
        await("the reply in the widget", () -> widget.stream().anyMatch(l -> l.contains("Alex here")));
        assertTrue(widget.stream().anyMatch(l -> l.equals("event: typing")), widget.toString());
        assertFalse(widget.stream().anyMatch(l -> l.contains("refund approved") || l.contains("note")),
                widget.toString());
        assertFalse(messages(s, v[1]).toString().contains("refund approved"));
        JsonNode notes = json(s.agent().call("GET", "/v1/conversations/" + v[1] + "/notes", null)).get("data");
        assertEquals(note, notes.get(0).get("text").asText());
        assertEquals("Alex Agent", notes.get(0).get("author_name").asText());
        assertTrue(json(s.agent().call("GET", "/v1/inbox?assignee=me", null)).get("data").get(0)
                .get("waiting_since").isNull(), "a reply ends the wait");

        // labels and canned responses
        assertEquals(201, s.owner().call("POST", "/v1/labels", "{\"name\":\"billing\",\"color\":\"#aa3300\"}")
                .statusCode());
        assertEquals(403, s.agent().call("POST", "/v1/labels", "{\"name\":\"agent-made\"}").statusCode());
        assertEquals(400, s.agent().call("POST", "/v1/conversations/" + v[1] + "/labels",
                "{\"labels\":[\"unknown\"]}").statusCode());
        assertEquals(200, s.agent().call("POST", "/v1/conversations/" + v[1] + "/labels",
                "{\"labels\":[\"billing\"]}").statusCode());
        assertEquals(1, json(s.agent().call("GET", "/v1/inbox?label=billing", null)).get("data").size());
        assertEquals(201, s.owner().call("POST", "/v1/canned-responses", "{\"shortcut\":\"refund\",\"text\":"
                + "\"Your refund is on its way.\"}").statusCode());
        assertEquals(409, s.owner().call("POST", "/v1/canned-responses", "{\"shortcut\":\"refund\",\"text\":\"x\"}")
                .statusCode());
        assertEquals("Your refund is on its way.", json(s.agent().call("GET", "/v1/canned-responses?q=/ref", null))
                .get("data").get(0).get("text").asText());

        // search over messages and contacts
        JsonNode found = json(s.agent().call("GET", "/v1/search?q=MEANING%20of", null));
        assertEquals(v[1], found.get("messages").get(0).get("conversation_id").asText());
        assertEquals("Vera Visitor", json(s.agent().call("GET", "/v1/search?q=vera", null)).get("contacts").get(0)
                .get("display_name").asText());
        assertTrue(inbox.stream().anyMatch(l -> l.contains("note.created")) && inbox.stream()
                .noneMatch(l -> l.contains("refund approved")), "the inbox stream names notes without their text");

        // hand back to the assistant, take over again (assigned to the one who takes it)
        assertEquals(200, s.agent().call("PATCH", "/v1/conversations/" + v[1], "{\"status\":\"bot\",\"assignee_id\":"
                + "null}").statusCode());
        JsonNode taken = json(s.owner().call("PATCH", "/v1/conversations/" + v[1], "{\"status\":\"human\"}"));
        assertEquals(s.owner().userId(), taken.get("assignee_id").asText());
        assertTrue(hub.admin("GET", "/admin/audit?action=conversation.taken_over", null).body().contains(v[1]));
    }

    @Test
    void twoPeopleTakingOverTheSameConversationAtOnceGetItOnceAndAQueuedOneCanBeTaken() throws Exception {
        Shop s = shop("Race Shop");
        String[] v = visitor(s, "visitor-race-1");
        say(v[0], "Do you ship to Canada?");
        await("the answer", () -> messages(s, v[1]).stream().anyMatch(m -> m.get("text").asText().contains("7 days")));
        for (int round = 0; round < 5; round++) {
            assertEquals(200, s.owner().call("PATCH", "/v1/conversations/" + v[1], "{\"status\":\"bot\","
                    + "\"assignee_id\":null}").statusCode());
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<HttpResponse<String>>> answers = new ArrayList<>();
            try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                for (Browser b : List.of(s.owner(), s.agent())) {
                    answers.add(pool.submit(() -> {
                        go.await();
                        return b.call("PATCH", "/v1/conversations/" + v[1], "{\"status\":\"human\"}");
                    }));
                }
                go.countDown();
            }
            HttpResponse<String> owner = answers.get(0).get();
            HttpResponse<String> agent = answers.get(1).get();
            List<Integer> codes = new ArrayList<>(List.of(owner.statusCode(), agent.statusCode()));
            java.util.Collections.sort(codes);
            assertEquals(List.of(200, 409), codes, owner.body() + " / " + agent.body());
            Browser winner = owner.statusCode() == 200 ? s.owner() : s.agent();
            assertEquals(winner.userId(), json(s.owner().call("GET", "/v1/conversations/" + v[1], null))
                    .get("assignee_id").asText(), "round " + round);
        }
        // waiting in the queue (human, nobody's): whoever takes it gets it; then someone else cannot
        assertEquals(200, s.owner().call("PATCH", "/v1/conversations/" + v[1], "{\"assignee_id\":null}")
                .statusCode());
        JsonNode taken = json(s.agent().call("PATCH", "/v1/conversations/" + v[1], "{\"status\":\"human\"}"));
        assertEquals(s.agent().userId(), taken.get("assignee_id").asText(), taken.toString());
        HttpResponse<String> refused = s.owner().call("PATCH", "/v1/conversations/" + v[1], "{\"status\":\"human\"}");
        assertEquals(409, refused.statusCode(), refused.body());
        assertTrue(json(refused).get("detail").asText().contains("Alex Agent"), refused.body());
        // an admin reassigns it explicitly
        JsonNode reassigned = json(s.owner().call("PATCH", "/v1/conversations/" + v[1], "{\"assignee_id\":\""
                + s.owner().userId() + "\"}"));
        assertEquals(s.owner().userId(), reassigned.get("assignee_id").asText());
        // an agent cannot take it back by naming themselves, with or without a status
        for (String body : List.of("{\"assignee_id\":\"" + s.agent().userId() + "\"}", "{\"status\":\"human\","
                + "\"assignee_id\":\"" + s.agent().userId() + "\"}", "{\"assignee_id\":null}")) {
            assertEquals(409, s.agent().call("PATCH", "/v1/conversations/" + v[1], body).statusCode(), body);
        }
        assertEquals(s.owner().userId(), json(s.agent().call("GET", "/v1/conversations/" + v[1], null))
                .get("assignee_id").asText());
    }

    @Test
    void aStreamEndsWithinSecondsOfItsReaderLosingAccess() {
        Shop s = shop("Leaver Shop");
        Browser leaver = Browser.accept(hub, admin.invite(s.tenant(), "leaver-" + System.nanoTime() + "@x.example",
                "agent"), "Lee Leaver");
        String[] v = visitor(s, "visitor-leaver-1");
        List<String> inbox = listen(inboxStream(leaver, s.tenant()));
        List<String> conversation = listen(hub.request("/v1/conversations/" + v[1] + "/events?tenant=" + s.tenant())
                .header("Cookie", "clawless_session=" + leaver.cookie()).timeout(java.time.Duration.ofMinutes(2))
                .GET().build());
        JsonNode issued = json(hub.admin("POST", "/admin/tenants/" + s.tenant() + "/api-keys",
                "{\"name\":\"reader\",\"scopes\":[\"conversations:read\"]}"));
        List<String> byKey = listen(hub.request("/v1/conversations/" + v[1] + "/events").header("Authorization",
                "Bearer " + issued.get("key").asText()).timeout(java.time.Duration.ofMinutes(2)).GET().build());
        await("the streams open", () -> inbox.contains(": connected") && conversation.contains(": connected")
                && byKey.contains(": connected"));
        // removed from the tenant: both of the person's streams end
        assertEquals(204, s.owner().call("DELETE", "/v1/members/" + leaver.userId(), null).statusCode());
        await("the person's streams ended", () -> inbox.contains(CLOSED) && conversation.contains(CLOSED));
        assertFalse(byKey.contains(CLOSED), "the key's stream goes on");
        // the key revoked: its stream ends
        assertEquals(204, hub.admin("DELETE", "/admin/tenants/" + s.tenant() + "/api-keys/" + issued.get("id").asText(),
                null).statusCode());
        await("the key's stream ended", () -> byKey.contains(CLOSED));
        // a new message after that reaches none of them
        say(v[0], "Anyone there?");
        await("the message stored", () -> messages(s, v[1]).stream().anyMatch(m -> m.get("text").asText()
                .equals("Anyone there?")));
        for (List<String> ended : List.of(inbox, conversation, byKey)) {
            assertEquals(CLOSED, ended.get(ended.size() - 1), "nothing after the end: " + ended);
        }
    }

    @Test
    void resolvingAsksForARatingAndTheAnswerIsCounted() {
        Shop s = shop("Csat Shop");
        assertEquals(200, s.owner().call("PATCH", "/v1/inbox/settings", "{\"csat\":{\"enabled\":true}}")
                .statusCode());
        String[] v = visitor(s, "visitor-csat-1");
        say(v[0], "Do you ship to Canada?");
        await("the answer", () -> messages(s, v[1]).stream().anyMatch(m -> m.get("text").asText().contains("7 days")));
        assertEquals(200, s.agent().call("PATCH", "/v1/conversations/" + v[1], "{\"status\":\"closed\"}")
                .statusCode());
        await("the rating question", () -> messages(s, v[1]).stream().anyMatch(m -> m.get("text").asText()
                .contains("How would you rate")));
        say(v[0], "5");
        await("the thanks", () -> messages(s, v[1]).stream().anyMatch(m -> m.get("text").asText()
                .contains("Thank you for your rating")));
        assertEquals("closed", json(s.agent().call("GET", "/v1/conversations/" + v[1], null)).get("status").asText());
        JsonNode report = json(s.agent().call("GET", "/v1/reports/csat", null));
        assertEquals(1, report.get("responses").asLong());
        assertEquals(5.0, report.get("average").asDouble());
        assertEquals(1, report.get("distribution").get("5").asLong());
        // a later message is a new question for the assistant
        say(v[0], "4");
        await("reopened", () -> json(s.agent().call("GET", "/v1/conversations/" + v[1], null)).get("status").asText()
                .equals("bot"));
        assertEquals(1, json(s.agent().call("GET", "/v1/reports/csat", null)).get("responses").asLong());
        await("the assistant's answer to the 4", () -> messages(s, v[1]).stream().reduce((a, b) -> b)
                .map(m -> m.get("role").asText().equals("assistant")).orElse(false));
        // asked again, the contact writes something else first: the question is over, a "2" after it is a message
        assertEquals(200, s.agent().call("PATCH", "/v1/conversations/" + v[1], "{\"status\":\"closed\"}")
                .statusCode());
        await("the second rating question", () -> messages(s, v[1]).stream().filter(m -> m.get("text").asText()
                .contains("How would you rate")).count() == 2);
        say(v[0], "Do you ship to Canada?");
        await("the answer again", () -> messages(s, v[1]).stream().filter(m -> m.get("text").asText()
                .contains("7 days")).count() == 2);
        say(v[0], "2");
        await("the 2 answered by the assistant", () -> messages(s, v[1]).stream().reduce((a, b) -> b)
                .map(m -> m.get("role").asText().equals("assistant") && !m.get("text").asText().contains("7 days"))
                .orElse(false));
        assertEquals(1, messages(s, v[1]).stream().filter(m -> m.get("text").asText()
                .contains("Thank you for your rating")).count());
        assertEquals(1, json(s.agent().call("GET", "/v1/reports/csat", null)).get("responses").asLong());
    }

    @Test
    void outsideBusinessHoursTheContactIsToldWhenSomeoneWillAnswer() {
        Shop s = shop("Hours Shop");
        DayOfWeek tomorrow = ZonedDateTime.now(ZoneOffset.UTC).plusDays(1).getDayOfWeek();
        String day = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun").get(tomorrow.getValue() - 1);
        HttpResponse<String> set = s.owner().call("PATCH", "/v1/inbox/settings", "{\"business_hours\":{\"timezone\":"
                + "\"UTC\",\"days\":{\"" + day + "\":[\"09:00-17:00\"]}}}");
        assertEquals(200, set.statusCode(), set.body());
        assertEquals(400, s.owner().call("PATCH", "/v1/inbox/settings", "{\"business_hours\":{\"timezone\":"
                + "\"Mars/Olympus\",\"days\":{\"funday\":[\"25:00-26:00\"]}}}").statusCode());
        String[] v = visitor(s, "visitor-hours-1");
        say(v[0], "Can I speak to a human?");
        await("the offer", () -> messages(s, v[1]).stream().anyMatch(m -> m.get("text").asText()
                .contains("connect you with a person")));
        say(v[0], "sí, por favor");
        await("the away message", () -> messages(s, v[1]).stream().anyMatch(m -> m.get("text").asText()
                .contains("09:00 (UTC)")));
        assertEquals("human", json(s.agent().call("GET", "/v1/conversations/" + v[1], null)).get("status").asText());
        JsonNode queue = json(s.agent().call("GET", "/v1/inbox?assignee=none&status=human", null)).get("data");
        assertEquals(v[1], queue.get(0).get("conversation").get("id").asText(), "no one online: in the queue");
    }

    @Test
    void contactsShowEveryIdentityAndMerge() {
        Shop s = shop("Contact Shop");
        String[] a = visitor(s, "visitor-merge-a1");
        String[] b = visitor(s, "visitor-merge-b1");
        String contactA = json(s.agent().call("GET", "/v1/conversations/" + a[1], null)).get("contact_id").asText();
        String contactB = json(s.agent().call("GET", "/v1/conversations/" + b[1], null)).get("contact_id").asText();
        JsonNode renamed = json(s.agent().call("PATCH", "/v1/contacts/" + contactA,
                "{\"display_name\":\"<img src=x onerror=alert(1)>\"}"));
        assertEquals("<img src=x onerror=alert(1)>", renamed.get("display_name").asText());
        JsonNode merged = json(s.agent().call("POST", "/v1/contacts/" + contactA + "/merge", "{\"contact_id\":\""
                + contactB + "\"}"));
        assertEquals(2, merged.get("identities").size(), merged.toString());
        assertEquals(2, merged.get("conversation_ids").size());
        assertEquals(404, s.agent().call("GET", "/v1/contacts/" + contactB, null).statusCode());
        assertEquals(contactA, json(s.agent().call("GET", "/v1/conversations/" + b[1], null)).get("contact_id")
                .asText());
        assertEquals(400, s.agent().call("POST", "/v1/contacts/" + contactA + "/merge", "{\"contact_id\":\""
                + contactA + "\"}").statusCode());
        // another tenant's agent sees none of it
        Shop other = shop("Other Shop");
        assertEquals(404, other.agent().call("GET", "/v1/contacts/" + contactA, null).statusCode());
        assertEquals(404, other.agent().call("POST", "/v1/conversations/" + a[1] + "/notes", "{\"text\":\"x\"}")
                .statusCode());
        assertEquals(0, json(other.agent().call("GET", "/v1/search?q=visitor", null)).get("contacts").size());
    }

    @Test
    void teamsMembersAndRoutingValidateTheirInput() {
        Shop s = shop("Team Shop");
        JsonNode members = json(s.agent().call("GET", "/v1/members", null)).get("data");
        assertEquals(2, members.size());
        HttpResponse<String> team = s.owner().call("POST", "/v1/teams", "{\"name\":\"Support\",\"member_ids\":[\""
                + s.agent().userId() + "\"]}");
        assertEquals(201, team.statusCode(), team.body());
        assertEquals(400, s.owner().call("POST", "/v1/teams", "{\"name\":\"Ghosts\",\"member_ids\":"
                + "[\"usr_01aaaaaaaaaaaaaaaaaaaaaaaa\"]}").statusCode());
        String teamId = json(team).get("id").asText();
        assertEquals(200, s.owner().call("PUT", "/v1/channels/" + s.connection() + "/routing", "{\"auto_assign\":"
                + "true,\"team_id\":\"" + teamId + "\"}").statusCode());
        assertEquals(teamId, json(s.agent().call("GET", "/v1/channels/" + s.connection() + "/routing", null))
                .get("team_id").asText());
        assertEquals(409, s.owner().call("PATCH", "/v1/members/" + s.owner().userId(), "{\"role\":\"agent\"}")
                .statusCode(), "the last owner stays owner");
        assertEquals(400, s.owner().call("PATCH", "/v1/members/" + s.agent().userId(), "{\"capacity\":-1}")
                .statusCode());
        assertEquals(200, s.owner().call("PATCH", "/v1/members/" + s.agent().userId(), "{\"capacity\":3}")
                .statusCode());
        assertEquals(204, s.agent().call("PUT", "/v1/me/presence", "{\"status\":\"away\"}").statusCode());
        assertEquals(400, s.agent().call("PUT", "/v1/me/presence", "{\"status\":\"asleep\"}").statusCode());
        assertEquals(404, s.agent().call("GET", "/v1/inbox?assignee=bob", null).statusCode(), "no such member");
        assertEquals(400, s.agent().call("GET", "/v1/inbox?status=open", null).statusCode());
        assertEquals(404, s.agent().call("PATCH", "/v1/conversations/cnv_01aaaaaaaaaaaaaaaaaaaaaaaa",
                "{\"status\":\"human\"}").statusCode());
        assertEquals(200, s.agent().call("GET", "/v1/approvals?status=pending&conversation_id="
                + "cnv_01aaaaaaaaaaaaaaaaaaaaaaaa", null).statusCode());
    }

    @Test
    void theRestOfThePeopleAndInboxRoutesDoWhatTheySay() {
        Shop s = shop("Routes Shop");
        // teams: rename, change members, delete
        String team = json(s.owner().call("POST", "/v1/teams", "{\"name\":\"Sales\"}")).get("id").asText();
        JsonNode renamed = json(s.owner().call("PATCH", "/v1/teams/" + team, "{\"name\":\"Sales EU\","
                + "\"member_ids\":[\"" + s.agent().userId() + "\"]}"));
        assertEquals("Sales EU", renamed.get("name").asText());
        assertEquals(s.agent().userId(), renamed.get("member_ids").get(0).asText());
        assertEquals(1, json(s.agent().call("GET", "/v1/teams", null)).get("data").size());
        // a member named twice is one member; a name another team has (in any case) is 409, not a server error
        JsonNode twice = json(s.owner().call("PATCH", "/v1/teams/" + team, "{\"member_ids\":[\"" + s.agent().userId()
                + "\",\"" + s.agent().userId() + "\"]}"));
        assertEquals(1, twice.get("member_ids").size(), twice.toString());
        assertEquals(201, s.owner().call("POST", "/v1/teams", "{\"name\":\"Billing\"}").statusCode());
        assertEquals(409, s.owner().call("PATCH", "/v1/teams/" + team, "{\"name\":\"billing\"}").statusCode());
        assertEquals(409, s.owner().call("POST", "/v1/teams", "{\"name\":\"BILLING\"}").statusCode());
        assertEquals(200, s.owner().call("PATCH", "/v1/teams/" + team, "{\"name\":\"sales eu\"}").statusCode(),
                "its own name in another case");
        assertEquals(403, s.agent().call("DELETE", "/v1/teams/" + team, null).statusCode());
        assertEquals(204, s.owner().call("DELETE", "/v1/teams/" + team, null).statusCode());
        assertEquals(404, s.owner().call("DELETE", "/v1/teams/" + team, null).statusCode());
        // labels: delete one, and it leaves the conversations that had it
        String[] v = visitor(s, "visitor-routes-1");
        assertEquals(201, s.owner().call("POST", "/v1/labels", "{\"name\":\"vip\"}").statusCode());
        assertEquals(200, s.agent().call("POST", "/v1/conversations/" + v[1] + "/labels", "{\"labels\":[\"vip\"]}")
                .statusCode());
        assertEquals(204, s.owner().call("DELETE", "/v1/labels/vip", null).statusCode());
        assertEquals(0, json(s.agent().call("GET", "/v1/conversations/" + v[1], null)).get("labels").size());
        assertEquals(0, json(s.agent().call("GET", "/v1/labels", null)).get("data").size());
        // canned responses: change and delete
        String canned = json(s.owner().call("POST", "/v1/canned-responses", "{\"shortcut\":\"hi\",\"text\":"
                + "\"Hello!\"}")).get("id").asText();
        assertEquals("Hello there!", json(s.owner().call("PATCH", "/v1/canned-responses/" + canned,
                "{\"text\":\"Hello there!\"}")).get("text").asText());
        assertEquals(400, s.owner().call("PATCH", "/v1/canned-responses/" + canned, "{\"shortcut\":\"Bad Cut\"}")
                .statusCode());
        assertEquals(204, s.owner().call("DELETE", "/v1/canned-responses/" + canned, null).statusCode());
        assertEquals(0, json(s.agent().call("GET", "/v1/canned-responses", null)).get("data").size());
        // contacts list, tool calls (none: the embedded assistant calls no tools), the inbox settings as set
        assertTrue(json(s.agent().call("GET", "/v1/contacts?q=vera", null)).get("data").size() >= 1);
        assertEquals(0, json(s.agent().call("GET", "/v1/conversations/" + v[1] + "/tool-calls", null)).get("data")
                .size());
        assertEquals("UTC", json(s.owner().call("PATCH", "/v1/inbox/settings", "{\"business_hours\":{\"timezone\":"
                + "\"UTC\",\"days\":{\"mon\":[\"09:00-17:00\"]}},\"handoff_message\":\"One moment.\"}"))
                .get("business_hours").get("timezone").asText());
        JsonNode settings = json(s.agent().call("GET", "/v1/inbox/settings", null));
        assertEquals("One moment.", settings.get("handoff_message").asText());
        assertEquals(403, s.agent().call("PATCH", "/v1/inbox/settings", "{\"handoff_message\":\"x\"}").statusCode());
        assertEquals(false, json(s.agent().call("GET", "/v1/tenant/security", null)).get("require_totp").asBoolean());
        // the person: language, password (wrong current one named), and the second factor off again
        assertEquals("es", json(s.agent().call("PATCH", "/v1/me", "{\"locale\":\"es\"}")).get("locale").asText());
        assertEquals(400, s.agent().call("PATCH", "/v1/me", "{\"locale\":\"xx\"}").statusCode());
        HttpResponse<String> wrong = s.agent().call("POST", "/v1/me/password", "{\"current_password\":\"nope nope"
                + " nope\",\"new_password\":\"an entirely new passphrase\"}");
        assertEquals(400, wrong.statusCode());
        assertTrue(wrong.body().contains("current_password"), wrong.body());
        assertEquals(204, s.agent().call("POST", "/v1/me/password", "{\"current_password\":\"" + Browser.PASSWORD
                + "\",\"new_password\":\"an entirely new passphrase\"}").statusCode());
        assertEquals(200, s.agent().call("GET", "/v1/me", null).statusCode(), "this session stays");
        String secret = json(s.agent().call("POST", "/v1/me/totp", null)).get("secret").asText();
        assertEquals(204, s.agent().call("POST", "/v1/me/totp/confirm", "{\"code\":\""
                + dev.clawless.core.account.internal.TotpCodes.code(secret, java.time.Instant.now()) + "\"}")
                .statusCode());
        assertEquals(400, s.agent().call("DELETE", "/v1/me/totp", "{\"password\":\"" + Browser.PASSWORD + "\"}")
                .statusCode(), "the old password no longer counts");
        assertEquals(204, s.agent().call("DELETE", "/v1/me/totp", "{\"password\":\"an entirely new passphrase\"}")
                .statusCode());
        assertFalse(json(s.agent().call("GET", "/v1/me", null)).get("user").get("totp_enabled").asBoolean());
    }
}
