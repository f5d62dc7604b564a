package dev.clawless.server;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import static dev.clawless.server.TestHub.json;

/**
 * A person's browser against a test hub, at the HTTP level: the session cookie the hub set, the CSRF token it
 * answered, and the tenant the person acts for. Each instance is a separate browser (its own cookie).
 */
public final class Browser {

    public static final String PASSWORD = "correct horse battery staple";

    private final TestHub hub;
    private String cookie;
    private String csrf;
    private String tenant;
    private JsonNode session;

    public Browser(TestHub hub) {
        this.hub = hub;
    }

    /** Creates the first platform admin with the hub's setup link (once per hub) and signs in. */
    public static Browser firstAdmin(TestHub hub, String email) {
        String link = hub.hub().setupLink().orElseThrow(() -> new AssertionError("the hub has an admin already"));
        String token = link.substring(link.indexOf("token=") + 6);
        Browser b = new Browser(hub);
        HttpResponse<String> r = b.post("/v1/auth/setup", "{\"token\":\"" + token + "\",\"email\":\"" + email
                + "\",\"display_name\":\"Platform Admin\",\"password\":\"" + PASSWORD + "\"}");
        if (r.statusCode() != 201) {
            throw new AssertionError(r.statusCode() + " " + r.body());
        }
        return b;
    }

    /** Signs in (answers the login response; the browser keeps the cookie when it worked). */
    public HttpResponse<String> login(String email, String password, Optional<String> totp) {
        return post("/v1/auth/login", "{\"email\":\"" + email + "\",\"password\":\"" + password + "\""
                + totp.map(c -> ",\"totp_code\":\"" + c + "\"").orElse("") + "}");
    }

    /** Invites {@code email} to {@code tenantId} as {@code role}; answers the invitation's token. */
    public String invite(String tenantId, String email, String role) {
        String previous = tenant;
        tenant = tenantId;
        HttpResponse<String> r = call("POST", "/v1/invitations", "{\"email\":\"" + email + "\",\"role\":\"" + role
                + "\"}");
        tenant = previous;
        if (r.statusCode() != 201) {
            throw new AssertionError(r.statusCode() + " " + r.body());
        }
        String link = json(r).get("link").asText();
        return link.substring(link.lastIndexOf('/') + 1);
    }

    /** A new browser that accepts an invitation as a new person. */
    public static Browser accept(TestHub hub, String token, String name) {
        Browser b = new Browser(hub);
        HttpResponse<String> r = b.post("/v1/auth/invitations/" + token + "/accept", "{\"display_name\":\"" + name
                + "\",\"password\":\"" + PASSWORD + "\"}");
        if (r.statusCode() != 200) {
            throw new AssertionError(r.statusCode() + " " + r.body());
        }
        b.tenant = json(r).get("memberships").get(0).get("tenant_id").asText();
        return b;
    }

    /** Accepts an invitation as the person signed in here; answers the response. */
    public HttpResponse<String> acceptSignedIn(String token) {
        return call("POST", "/v1/auth/invitations/" + token + "/accept", null);
    }

    public Browser actingFor(String tenantId) {
        this.tenant = tenantId;
        return this;
    }

    public JsonNode session() {
        return session;
    }

    public String userId() {
        return session.get("user").get("id").asText();
    }

    public String cookie() {
        return cookie;
    }

    public String csrf() {
        return csrf;
    }

    /** A request with the cookie, the CSRF token and the tenant header. */
    public HttpResponse<String> call(String method, String path, String jsonBody) {
        HttpRequest.Builder b = hub.request(path);
        if (cookie != null) {
            b.header("Cookie", "clawless_session=" + cookie);
        }
        if (csrf != null) {
            b.header("X-CSRF-Token", csrf);
        }
        if (tenant != null) {
            b.header("X-Clawless-Tenant", tenant);
        }
        if (jsonBody != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return remember(hub.send(b));
    }

    private HttpResponse<String> post(String path, String jsonBody) {
        return call("POST", path, jsonBody);
    }

    private HttpResponse<String> remember(HttpResponse<String> r) {
        r.headers().allValues("Set-Cookie").forEach(c -> {
            if (c.startsWith("clawless_session=")) {
                String v = c.substring("clawless_session=".length(), c.indexOf(';'));
                cookie = v.isEmpty() ? null : v;
            }
        });
        if (r.statusCode() / 100 == 2 && r.body().contains("\"csrf_token\"")) {
            session = json(r);
            csrf = session.get("csrf_token").asText();
        }
        return r;
    }
}
