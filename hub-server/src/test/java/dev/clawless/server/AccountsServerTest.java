package dev.clawless.server;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.core.account.internal.TotpCodes;

import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * People's accounts over HTTP: the first admin from the printed link, sign-in and its failures, sessions and CSRF,
 * invitations, roles and tenants, the second factor, password resets by mail, and the audit of it all.
 */
class AccountsServerTest {

    private static GreenMail mail;
    private static TestHub hub;
    private static Browser admin;
    private static String acme;
    private static String globex;

    @BeforeAll
    static void start() {
        mail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        mail.start();
        hub = TestHub.start(Map.of("CLAWLESS_MAIL_SMTP_HOST", "127.0.0.1", "CLAWLESS_MAIL_SMTP_PORT",
                String.valueOf(mail.getSmtp().getPort()), "CLAWLESS_MAIL_TLS", "none",
                "CLAWLESS_ACCOUNTS_LOGIN_FAILURES_PER_MINUTE", "1000"));
        assertTrue(json(hub.call("GET", "/v1/auth/setup", null, null)).get("needed").asBoolean());
        admin = Browser.firstAdmin(hub, "root@example.com");
        acme = hub.tenant("Acme");
        globex = hub.tenant("Globex");
    }

    @AfterAll
    static void stop() {
        hub.close();
        mail.stop();
    }

    private static String email(String name) {
        return name + "-" + System.nanoTime() + "@example.com";
    }

    /** A new person who accepted an invitation to {@code tenant} with {@code role}. */
    private static Browser member(String tenant, String role) {
        String token = admin.invite(tenant, email(role), role);
        return Browser.accept(hub, token, "A " + role);
    }

    @Test
    void theFirstAdminLinkWorksOnceAndTheAdminWorksFromTheBrowser() {
        assertFalse(json(hub.call("GET", "/v1/auth/setup", null, null)).get("needed").asBoolean());
        String link = hub.hub().setupLink().orElseThrow();
        String token = link.substring(link.indexOf("token=") + 6);
        HttpResponse<String> again = new Browser(hub).call("POST", "/v1/auth/setup", "{\"token\":\"" + token
                + "\",\"email\":\"second@example.com\",\"display_name\":\"Second\",\"password\":\""
                + Browser.PASSWORD + "\"}");
        assertEquals(410, again.statusCode(), again.body());
        assertEquals(404, new Browser(hub).call("POST", "/v1/auth/setup", "{\"token\":\"" + "x".repeat(40)
                + "\",\"email\":\"third@example.com\",\"display_name\":\"Third\",\"password\":\"" + Browser.PASSWORD
                + "\"}").statusCode());
        JsonNode me = json(admin.call("GET", "/v1/me", null));
        assertTrue(me.get("user").get("platform_admin").asBoolean());
        assertFalse(me.toString().contains("password"), me.toString());
        assertEquals(200, admin.call("GET", "/admin/tenants", null).statusCode());
        HttpResponse<String> created = admin.call("POST", "/admin/tenants", "{\"name\":\"From the console\"}");
        assertEquals(201, created.statusCode(), created.body());
        // the cookie is HttpOnly and SameSite=Lax; a plain http hub does not mark it Secure
        HttpResponse<String> login = new Browser(hub).login("root@example.com", Browser.PASSWORD, Optional.empty());
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"),
                cookie);
    }

    @Test
    void aCookieRequestThatChangesSomethingNeedsTheCsrfToken() {
        Browser agent = member(acme, "agent");
        String csrf = agent.csrf();
        HttpResponse<String> ok = agent.call("PATCH", "/v1/me", "{\"display_name\":\"Renamed\"}");
        assertEquals(200, ok.statusCode(), ok.body());
        // the same request without the header, and with another session's token
        HttpResponse<String> without = hub.send(hub.request("/v1/me").header("Cookie", "clawless_session="
                + agent.cookie()).header("Content-Type", "application/json")
                .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString("{\"display_name\":\"X\"}")));
        assertEquals(403, without.statusCode(), without.body());
        assertTrue(without.body().contains("csrf"), without.body());
        HttpResponse<String> wrong = hub.send(hub.request("/v1/me").header("Cookie", "clawless_session="
                + agent.cookie()).header("X-CSRF-Token", admin.csrf()).header("Content-Type", "application/json")
                .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString("{\"display_name\":\"X\"}")));
        assertEquals(403, wrong.statusCode());
        assertNotEquals(csrf, admin.csrf());
        // reads need no token
        assertEquals(200, hub.send(hub.request("/v1/me").header("Cookie", "clawless_session=" + agent.cookie())
                .GET()).statusCode());
    }

    @Test
    void aWrongPasswordAndAnUnknownAddressGetTheSameAnswer() {
        Browser agent = member(acme, "agent");
        String address = agent.session().get("user").get("email").asText();
        HttpResponse<String> wrong = new Browser(hub).login(address, "not the password at all", Optional.empty());
        HttpResponse<String> unknown = new Browser(hub).login("nobody@example.com", "not the password at all",
                Optional.empty());
        assertEquals(401, wrong.statusCode());
        assertEquals(401, unknown.statusCode());
        assertEquals(json(wrong).get("detail"), json(unknown).get("detail"));
        assertTrue(wrong.headers().firstValue("Set-Cookie").isEmpty());
        assertTrue(hub.admin("GET", "/admin/audit?action=account.login_failed", null).body()
                .contains(agent.userId()));
    }

    @Test
    void invitationLinksWorkOnceAndCanBeWithdrawn() {
        String token = admin.invite(acme, email("once"), "agent");
        JsonNode info = json(hub.call("GET", "/v1/auth/invitations/" + token, null, null));
        assertEquals("Acme", info.get("tenant").get("name").asText());
        assertEquals("agent", info.get("role").asText());
        Browser.accept(hub, token, "Once");
        HttpResponse<String> again = new Browser(hub).call("POST", "/v1/auth/invitations/" + token + "/accept",
                "{\"display_name\":\"Twice\",\"password\":\"" + Browser.PASSWORD + "\"}");
        assertEquals(410, again.statusCode(), again.body());
        assertEquals(410, hub.call("GET", "/v1/auth/invitations/" + token, null, null).statusCode());
        // a withdrawn invitation
        admin.actingFor(acme);
        HttpResponse<String> made = admin.call("POST", "/v1/invitations", "{\"email\":\"" + email("withdrawn")
                + "\",\"role\":\"agent\"}");
        String id = json(made).get("id").asText();
        String link = json(made).get("link").asText();
        assertTrue(link.startsWith(hub.hub().baseUrl() + "/console#/invite/"), link);
        assertEquals(204, admin.call("DELETE", "/v1/invitations/" + id, null).statusCode());
        assertEquals(410, hub.call("GET", "/v1/auth/invitations/" + link.substring(link.lastIndexOf('/') + 1),
                null, null).statusCode());
        assertEquals(404, hub.call("GET", "/v1/auth/invitations/" + "n".repeat(40), null, null).statusCode());
        // the invitation went out by mail too
        assertTrue(java.util.Arrays.stream(mail.getReceivedMessages()).anyMatch(m -> {
            try {
                return m.getSubject().contains("Acme");
            } catch (jakarta.mail.MessagingException e) {
                return false;
            }
        }));
    }

    @Test
    void someoneWithAnAccountJoinsAnotherTenantOnlyBySigningInFirst() {
        String address = email("kim");
        Browser kim = Browser.accept(hub, admin.invite(acme, address, "agent"), "Kim");
        String token = admin.invite(globex, address, "admin");
        // the link alone does not give its holder the account: no new password for an address that has one
        HttpResponse<String> taken = new Browser(hub).call("POST", "/v1/auth/invitations/" + token + "/accept",
                "{\"display_name\":\"Mallory\",\"password\":\"mallory's own password\"}");
        assertEquals(409, taken.statusCode(), taken.body());
        assertEquals(401, new Browser(hub).login(address, "mallory's own password", Optional.empty()).statusCode());
        // nor does another person's session
        Browser other = member(acme, "agent");
        assertEquals(address, json(other.call("GET", "/v1/auth/invitations/" + token, null)).get("email").asText());
        HttpResponse<String> wrong = other.acceptSignedIn(token);
        assertEquals(403, wrong.statusCode(), wrong.body());
        assertTrue(json(wrong).get("type").asText().endsWith("other-address"), wrong.body());
        // a session without the CSRF token is refused
        HttpResponse<String> noCsrf = hub.send(hub.request("/v1/auth/invitations/" + token + "/accept")
                .header("Cookie", "clawless_session=" + kim.cookie())
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()));
        assertEquals(403, noCsrf.statusCode(), noCsrf.body());
        // Kim, signed in, sees who she is accepting as, and joins with the invitation's role
        assertEquals(address, json(kim.call("GET", "/v1/auth/invitations/" + token, null)).get("signed_in_as")
                .asText());
        HttpResponse<String> joined = kim.acceptSignedIn(token);
        assertEquals(200, joined.statusCode(), joined.body());
        assertEquals(2, json(joined).get("memberships").size(), joined.body());
        JsonNode members = json(kim.actingFor(globex).call("GET", "/v1/members", null));
        boolean kimIsAdmin = false;
        for (JsonNode m : members.get("data")) {
            kimIsAdmin |= m.get("user_id").asText().equals(kim.userId()) && m.get("role").asText().equals("admin");
        }
        assertTrue(kimIsAdmin, members.toString());
        assertEquals(410, kim.acceptSignedIn(token).statusCode());
    }

    @Test
    void anAgentCannotUseAdminRoutes() {
        Browser agent = member(acme, "agent");
        assertEquals(200, agent.call("GET", "/v1/inbox", null).statusCode());
        assertEquals(403, agent.call("POST", "/v1/channels", "{\"type\":\"webchat\",\"config\":{"
                + "\"allowed_origins\":[]}}").statusCode());
        assertEquals(403, agent.call("POST", "/v1/invitations", "{\"email\":\"x@example.com\",\"role\":\"owner\"}")
                .statusCode());
        assertEquals(403, agent.call("PATCH", "/v1/tenant", "{\"name\":\"Mine\"}").statusCode());
        assertEquals(403, agent.call("GET", "/admin/tenants", null).statusCode());
        assertEquals(403, agent.call("POST", "/v1/api-keys", "{\"name\":\"k\",\"scopes\":[\"chat\"]}").statusCode());
        // an admin manages settings but not members; an owner manages members
        Browser tenantAdmin = member(acme, "admin");
        assertEquals(200, tenantAdmin.call("PATCH", "/v1/tenant", "{\"name\":\"Acme\"}").statusCode());
        assertEquals(403, tenantAdmin.call("POST", "/v1/invitations", "{\"email\":\"y@example.com\",\"role\":"
                + "\"agent\"}").statusCode());
        Browser owner = member(acme, "owner");
        HttpResponse<String> promote = owner.call("PATCH", "/v1/members/" + agent.userId(), "{\"role\":\"admin\"}");
        assertEquals(200, promote.statusCode(), promote.body());
        assertTrue(hub.admin("GET", "/admin/audit?action=member.role_changed", null).body().contains(agent.userId()));
    }

    @Test
    void aMemberReachesOnlyTheirTenants() {
        Browser agent = member(acme, "agent");
        String key = hub.key(globex, "[\"chat\",\"conversations:read\"]");
        String session = json(hub.call("POST", "/v1/sessions", key, "{\"title\":\"globex only\"}")).get("id")
                .asText();
        assertEquals(404, agent.actingFor(globex).call("GET", "/v1/inbox", null).statusCode());
        assertEquals(404, agent.actingFor(acme).call("GET", "/v1/conversations/" + session, null).statusCode());
        assertEquals(404, agent.call("GET", "/v1/conversations/" + session + "/notes", null).statusCode());
        Browser owner = member(acme, "owner");
        Browser globexAgent = member(globex, "agent");
        assertEquals(404, owner.call("PATCH", "/v1/members/" + globexAgent.userId(), "{\"role\":\"admin\"}")
                .statusCode());
        assertEquals(404, owner.call("DELETE", "/v1/members/" + globexAgent.userId(), null).statusCode());
        assertEquals(404, agent.call("GET", "/v1/contacts/ctc_01aaaaaaaaaaaaaaaaaaaaaaaa", null).statusCode());
        assertEquals(404, agent.actingFor("ten_01aaaaaaaaaaaaaaaaaaaaaaaa").call("GET", "/v1/inbox", null)
                .statusCode());
        assertFalse(agent.actingFor(acme).call("GET", "/v1/inbox", null).body().contains(session));
    }

    @Test
    void revokedSessionsAndRemovedMembersGet401AtOnce() {
        Browser agent = member(acme, "agent");
        String address = agent.session().get("user").get("email").asText();
        Browser second = new Browser(hub).actingFor(acme);
        assertEquals(200, second.login(address, Browser.PASSWORD, Optional.empty()).statusCode());
        JsonNode sessions = json(agent.call("GET", "/v1/me/sessions", null)).get("data");
        assertEquals(2, sessions.size());
        String other = null;
        for (JsonNode s : sessions) {
            if (!s.get("current").asBoolean()) {
                other = s.get("id").asText();
            }
        }
        assertEquals(204, agent.call("DELETE", "/v1/me/sessions/" + other, null).statusCode());
        assertEquals(401, second.call("GET", "/v1/me", null).statusCode());
        assertEquals(401, second.call("GET", "/v1/inbox", null).statusCode());
        // removed from its only tenant: signed out everywhere
        admin.actingFor(acme);
        assertEquals(204, admin.call("DELETE", "/v1/members/" + agent.userId(), null).statusCode());
        assertEquals(401, agent.call("GET", "/v1/inbox", null).statusCode());
        assertEquals(401, agent.call("GET", "/v1/me", null).statusCode());
        // sign-out ends the session too
        Browser third = member(acme, "agent");
        assertEquals(204, third.call("POST", "/v1/auth/logout", null).statusCode());
        assertEquals(401, third.call("GET", "/v1/me", null).statusCode());
        assertTrue(hub.admin("GET", "/admin/audit?action=account.logout", null).body().contains(third.userId()));
    }

    @Test
    void theSecondFactorIsAskedForAndCannotBeReplayed() {
        Browser agent = member(acme, "agent");
        String address = agent.session().get("user").get("email").asText();
        JsonNode enrol = json(agent.call("POST", "/v1/me/totp", null));
        String secret = enrol.get("secret").asText();
        assertTrue(enrol.get("otpauth_uri").asText().startsWith("otpauth://totp/Clawless"));
        assertEquals(400, agent.call("POST", "/v1/me/totp/confirm", "{\"code\":\"000000\"}").statusCode());
        String code = TotpCodes.code(secret, Instant.now());
        assertEquals(204, agent.call("POST", "/v1/me/totp/confirm", "{\"code\":\"" + code + "\"}").statusCode());
        HttpResponse<String> noCode = new Browser(hub).login(address, Browser.PASSWORD, Optional.empty());
        assertEquals(401, noCode.statusCode());
        assertTrue(json(noCode).get("type").asText().endsWith("totp-required"), noCode.body());
        // the code used to confirm is spent; the next step's code signs in
        String next = TotpCodes.code(secret, Instant.now().plusSeconds(30));
        HttpResponse<String> ok = new Browser(hub).login(address, Browser.PASSWORD, Optional.of(next));
        assertEquals(200, ok.statusCode(), ok.body());
        HttpResponse<String> replay = new Browser(hub).login(address, Browser.PASSWORD, Optional.of(next));
        assertEquals(401, replay.statusCode());
    }

    @Test
    void aTenantCanRequireTheSecondFactor() {
        String tenant = hub.tenant("Strict");
        Browser owner = member(tenant, "owner");
        Browser agent = member(tenant, "agent");
        assertEquals(200, owner.call("PATCH", "/v1/tenant/security", "{\"require_totp\":true}").statusCode());
        HttpResponse<String> refused = agent.call("GET", "/v1/inbox", null);
        assertEquals(403, refused.statusCode());
        assertTrue(refused.body().contains("totp-required"), refused.body());
        assertEquals(409, owner.call("DELETE", "/v1/me/totp", "{\"password\":\"" + Browser.PASSWORD + "\"}")
                .statusCode());
        String secret = json(agent.call("POST", "/v1/me/totp", null)).get("secret").asText();
        assertEquals(204, agent.call("POST", "/v1/me/totp/confirm", "{\"code\":\"" + TotpCodes.code(secret,
                Instant.now()) + "\"}").statusCode());
        assertEquals(200, agent.call("GET", "/v1/inbox", null).statusCode());
    }

    @Test
    void aPasswordResetByMailWorksOnceAndEndsEverySession() throws Exception {
        Browser agent = member(acme, "agent");
        String address = agent.session().get("user").get("email").asText();
        int before = mail.getReceivedMessages().length;
        assertEquals(202, hub.call("POST", "/v1/auth/password-resets", null, "{\"email\":\"" + address + "\"}")
                .statusCode());
        assertEquals(202, hub.call("POST", "/v1/auth/password-resets", null, "{\"email\":\"nobody@example.com\"}")
                .statusCode());
        assertTrue(mail.waitForIncomingEmail(5000, before + 1));
        jakarta.mail.internet.MimeMessage sent = mail.getReceivedMessages()[before];
        String body = com.icegreen.greenmail.util.GreenMailUtil.getBody(sent);
        String token = body.replaceAll("(?s).*#/reset/([0-9A-Za-z]+).*", "$1");
        assertEquals(address, json(hub.call("GET", "/v1/auth/password-resets/" + token, null, null)).get("email")
                .asText());
        assertEquals(400, hub.call("POST", "/v1/auth/password-resets/" + token, null, "{\"password\":\"short\"}")
                .statusCode());
        assertEquals(204, hub.call("POST", "/v1/auth/password-resets/" + token, null,
                "{\"password\":\"a brand new passphrase\"}").statusCode());
        assertEquals(410, hub.call("POST", "/v1/auth/password-resets/" + token, null,
                "{\"password\":\"another new passphrase\"}").statusCode());
        assertEquals(401, agent.call("GET", "/v1/me", null).statusCode());
        assertEquals(401, new Browser(hub).login(address, Browser.PASSWORD, Optional.empty()).statusCode());
        assertEquals(200, new Browser(hub).login(address, "a brand new passphrase", Optional.empty()).statusCode());
    }

    @Test
    void hostileAccountInputsGet4xx() {
        for (String body : List.of("{}", "{\"email\":1,\"password\":2}", "{\"email\":\"a@b.c\"}",
                "{\"email\":\"a@b.c\",\"password\":\"x\",\"extra\":true}", "[]", "not json")) {
            HttpResponse<String> r = hub.call("POST", "/v1/auth/login", null, body);
            assertTrue(r.statusCode() == 400 || r.statusCode() == 401, body + " -> " + r.statusCode());
        }
        String token = admin.invite(acme, email("hostile"), "agent");
        for (String body : List.of("{\"display_name\":\"<script>alert(1)</script>\",\"password\":\"short\"}",
                "{\"password\":\"" + Browser.PASSWORD + "\"}", "{\"display_name\":\"\\u200b\",\"password\":\""
                        + Browser.PASSWORD + "\"}")) {
            assertEquals(400, hub.call("POST", "/v1/auth/invitations/" + token + "/accept", null, body).statusCode(),
                    body);
        }
        assertEquals(401, hub.send(hub.request("/v1/me").header("Cookie", "clawless_session=ses_forged.secret")
                .GET()).statusCode());
        assertEquals(401, hub.send(hub.request("/v1/inbox").header("Cookie", "clawless_session=garbage").GET())
                .statusCode());
        assertEquals(401, hub.call("GET", "/v1/me", TestHub.ADMIN_TOKEN, null).statusCode());
        assertEquals(200, hub.call("GET", "/health/live", null, null).statusCode());
    }

    @Test
    void repeatedFailuresFromOneAddressAreThrottled() {
        try (TestHub strict = TestHub.start(Map.of("CLAWLESS_ACCOUNTS_LOGIN_FAILURES_PER_MINUTE", "3"))) {
            Browser.firstAdmin(strict, "boss@example.com");
            for (int i = 0; i < 3; i++) {
                assertEquals(401, new Browser(strict).login("boss@example.com", "wrong password " + i,
                        Optional.empty()).statusCode());
            }
            HttpResponse<String> throttled = new Browser(strict).login("boss@example.com", "wrong password 4",
                    Optional.empty());
            assertEquals(429, throttled.statusCode(), throttled.body());
            assertTrue(Long.parseLong(throttled.headers().firstValue("Retry-After").orElse("0")) >= 1);
            // throttled means no check at all, the right password included
            assertEquals(429, new Browser(strict).login("boss@example.com", Browser.PASSWORD, Optional.empty())
                    .statusCode());
        }
    }

    @Test
    void anAccountLocksAfterTheConfiguredFailures() {
        try (TestHub strict = TestHub.start(Map.of("CLAWLESS_ACCOUNTS_MAX_FAILED_LOGINS", "3",
                "CLAWLESS_ACCOUNTS_LOCKOUT", "10m", "CLAWLESS_ACCOUNTS_LOGIN_FAILURES_PER_MINUTE", "1000"))) {
            Browser.firstAdmin(strict, "lock@example.com");
            for (int i = 0; i < 3; i++) {
                assertEquals(401, new Browser(strict).login("lock@example.com", "wrong password " + i,
                        Optional.empty()).statusCode());
            }
            HttpResponse<String> locked = new Browser(strict).login("lock@example.com", Browser.PASSWORD,
                    Optional.empty());
            assertEquals(429, locked.statusCode(), locked.body());
            long retry = Long.parseLong(locked.headers().firstValue("Retry-After").orElse("0"));
            assertTrue(retry > 500 && retry <= 601, "Retry-After " + retry);
            assertTrue(json(locked).get("detail").asText().contains("too many failed sign-ins"), locked.body());
        }
    }
}
