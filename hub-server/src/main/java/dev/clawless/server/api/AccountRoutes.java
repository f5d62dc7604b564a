package dev.clawless.server.api;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.account.Accounts;
import dev.clawless.core.account.BrowserSession;
import dev.clawless.core.account.Invitation;
import dev.clawless.core.account.Membership;
import dev.clawless.core.account.Memberships;
import dev.clawless.core.account.SignedIn;
import dev.clawless.core.account.User;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.server.http.Bodies;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.JsonInput;
import dev.clawless.server.http.PersonAuth;
import dev.clawless.server.http.RequestState;
import dev.clawless.server.http.Routes;

/**
 * Signing in and the signed-in person: {@code /v1/auth/*} (first admin, login, logout, invitations, password resets;
 * no credential needed) and {@code /v1/me/*} (profile, password, second factor, sessions, presence; a browser session
 * only).
 */
public final class AccountRoutes {

    private final Accounts accounts;
    private final Memberships memberships;
    private final PersonAuth people;
    private final Bodies bodies;

    public AccountRoutes(Accounts accounts, Memberships memberships, PersonAuth people, Bodies bodies) {
        this.accounts = accounts;
        this.memberships = memberships;
        this.people = people;
        this.bodies = bodies;
    }

    public void register(Routes routes) {
        routes.get("/v1/auth/setup", this::setupNeeded)
                .post("/v1/auth/setup", this::setup)
                .post("/v1/auth/login", this::login)
                .post("/v1/auth/logout", this::logout)
                .get("/v1/auth/invitations/{token}", this::invitation)
                .post("/v1/auth/invitations/{token}/accept", this::accept)
                .post("/v1/auth/password-resets", this::requestReset)
                .get("/v1/auth/password-resets/{token}", this::resetInfo)
                .post("/v1/auth/password-resets/{token}", this::reset)
                .get("/v1/me", this::me)
                .patch("/v1/me", this::updateMe)
                .post("/v1/me/password", this::password)
                .post("/v1/me/totp", this::startTotp)
                .post("/v1/me/totp/confirm", this::confirmTotp)
                .delete("/v1/me/totp", this::disableTotp)
                .get("/v1/me/sessions", this::sessions)
                .delete("/v1/me/sessions/{id}", this::revokeSession)
                .put("/v1/me/presence", this::presence);
    }

    private static Accounts.Client client(ServerRequest req) {
        return new Accounts.Client(RequestState.of(req).clientAddress(),
                req.headers().first(HeaderNames.USER_AGENT), RequestState.of(req).requestId());
    }

    private static Accounts.Authenticated person(ServerRequest req) {
        return RequestState.of(req).person().orElseThrow(() -> new ClawlessException.Unauthorized("sign in first"));
    }

    // ---------------------------------------------------------------------------------------------- /v1/auth

    private void setupNeeded(ServerRequest req, ServerResponse res) {
        Json.send(res, Status.OK_200, Json.object().put("needed", accounts.setupNeeded()));
    }

    private void setup(ServerRequest req, ServerResponse res) {
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("token", "email", "display_name", "password",
                "locale"));
        String token = in.requiredString("token", 100);
        String email = in.requiredString("email", 254);
        String name = in.requiredString("display_name", 200);
        String password = in.requiredString("password", 200);
        Optional<String> locale = in.string("locale", 10);
        in.done();
        signedIn(res, Status.CREATED_201, accounts.setup(token, email, name, password, locale, client(req)));
    }

    private void login(ServerRequest req, ServerResponse res) {
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("email", "password", "totp_code"));
        String email = in.requiredString("email", 254);
        String password = in.requiredString("password", 200);
        Optional<String> code = in.string("totp_code", 12);
        in.done();
        signedIn(res, Status.OK_200, accounts.login(email, password, code, client(req)));
    }

    private void logout(ServerRequest req, ServerResponse res) {
        Optional<Accounts.Authenticated> who = RequestState.of(req).person();
        if (who.isPresent()) {
            requireCsrf(req, who.get());
            accounts.logout(who.get(), RequestState.of(req).requestId());
        }
        people.clearCookie(res);
        res.status(Status.NO_CONTENT_204).send();
    }

    private void requireCsrf(ServerRequest req, Accounts.Authenticated who) {
        String token = req.headers().first(PersonAuth.CSRF).orElse("");
        if (token.isEmpty() || !accounts.csrfMatches(who.session().id(), token)) {
            throw new ClawlessException.Forbidden("csrf", "send the session's csrf_token as X-CSRF-Token");
        }
    }

    /**
     * What an invitation offers, and whether this browser is signed in as the address it names (then it is accepted
     * with the session); never whether the address has an account.
     */
    private void invitation(ServerRequest req, ServerResponse res) {
        Invitation i = memberships.invitation(req.path().pathParameters().get("token"));
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Json.send(res, Status.OK_200, Json.object().put("email", i.email()).put("role", i.role().wire())
                .put("expires_at", Json.time(i.expiresAt()))
                .put("signed_in_as", RequestState.of(req).person().map(w -> w.user().email()).orElse(null))
                .set("tenant", Json.object().put("id", i.tenantId()).put("name", i.tenantName())));
    }

    /**
     * Accepts an invitation: signed in (with the CSRF token), as that person, who must be the address invited; else
     * as a new person, with a name and a password.
     */
    private void accept(ServerRequest req, ServerResponse res) {
        String token = req.path().pathParameters().get("token");
        Optional<Accounts.Authenticated> who = RequestState.of(req).person();
        if (who.isPresent()) {
            requireCsrf(req, who.get());
            bodies.optionalObject(req).ifPresent(b -> JsonInput.of(b, Set.of()).done());
            memberships.acceptAsSignedIn(token, who.get().user(), client(req));
            res.header(HeaderNames.CACHE_CONTROL, "no-store");
            Json.send(res, Status.OK_200, session(accounts.user(who.get().user().id()), who.get().session(),
                    accounts.memberships(who.get().user().id()), accounts.csrfToken(who.get().session().id())));
            return;
        }
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("display_name", "password", "locale"));
        String name = in.requiredString("display_name", 200);
        String password = in.requiredString("password", 200);
        Optional<String> locale = in.string("locale", 10);
        in.done();
        signedIn(res, Status.OK_200, memberships.acceptAsNew(token, name, password, locale, client(req)));
    }

    private void requestReset(ServerRequest req, ServerResponse res) {
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("email"));
        String email = in.requiredString("email", 254);
        in.done();
        accounts.requestReset(email, client(req));
        Json.send(res, Status.ACCEPTED_202, Json.object());
    }

    private void resetInfo(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Json.send(res, Status.OK_200, Json.object().put("email",
                accounts.resetEmail(req.path().pathParameters().get("token"))));
    }

    private void reset(ServerRequest req, ServerResponse res) {
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("password"));
        String password = in.requiredString("password", 200);
        in.done();
        accounts.reset(req.path().pathParameters().get("token"), password, RequestState.of(req).requestId());
        res.status(Status.NO_CONTENT_204).send();
    }

    // ---------------------------------------------------------------------------------------------- /v1/me

    private void me(ServerRequest req, ServerResponse res) {
        Accounts.Authenticated who = person(req);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Json.send(res, Status.OK_200, session(accounts.user(who.user().id()), who.session(),
                accounts.memberships(who.user().id()), accounts.csrfToken(who.session().id())));
    }

    private void updateMe(ServerRequest req, ServerResponse res) {
        Accounts.Authenticated who = person(req);
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("display_name", "locale"));
        Optional<String> name = in.string("display_name", 200);
        Optional<String> locale = in.string("locale", 10);
        in.done();
        Json.send(res, Status.OK_200, user(accounts.updateProfile(who.user().id(), name, locale)));
    }

    private void password(ServerRequest req, ServerResponse res) {
        Accounts.Authenticated who = person(req);
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("current_password", "new_password"));
        String current = in.requiredString("current_password", 200);
        String next = in.requiredString("new_password", 200);
        in.done();
        accounts.changePassword(who, current, next, RequestState.of(req).requestId());
        res.status(Status.NO_CONTENT_204).send();
    }

    private void startTotp(ServerRequest req, ServerResponse res) {
        Accounts.TotpEnrolment e = accounts.startTotp(person(req).user().id());
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Json.send(res, Status.OK_200, Json.object().put("secret", e.secret()).put("otpauth_uri", e.uri()));
    }

    private void confirmTotp(ServerRequest req, ServerResponse res) {
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("code"));
        String code = in.requiredString("code", 12);
        in.done();
        accounts.confirmTotp(person(req).user().id(), code, RequestState.of(req).requestId());
        res.status(Status.NO_CONTENT_204).send();
    }

    private void disableTotp(ServerRequest req, ServerResponse res) {
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("password"));
        String password = in.requiredString("password", 200);
        in.done();
        accounts.disableTotp(person(req).user().id(), password, RequestState.of(req).requestId());
        res.status(Status.NO_CONTENT_204).send();
    }

    private void sessions(ServerRequest req, ServerResponse res) {
        Accounts.Authenticated who = person(req);
        ObjectNode body = Json.object();
        ArrayNode data = body.putArray("data");
        for (BrowserSession s : accounts.sessions(who.user().id())) {
            data.addObject().put("id", s.id()).put("created_at", Json.time(s.createdAt()))
                    .put("last_used_at", Json.time(s.lastUsedAt())).put("expires_at", Json.time(s.expiresAt()))
                    .put("user_agent", s.userAgent().orElse(null)).put("ip", s.ip().orElse(null))
                    .put("current", s.id().equals(who.session().id()));
        }
        Json.send(res, Status.OK_200, body);
    }

    private void revokeSession(ServerRequest req, ServerResponse res) {
        Accounts.Authenticated who = person(req);
        String id = Inputs.pathId(req, "ses", "session");
        accounts.revokeSession(who.user().id(), id, RequestState.of(req).requestId());
        res.status(Status.NO_CONTENT_204).send();
    }

    private void presence(ServerRequest req, ServerResponse res) {
        JsonInput in = JsonInput.of(bodies.object(req), Set.of("status"));
        String status = in.requiredString("status", 10);
        in.done();
        accounts.presence(person(req).user().id(), status);
        res.status(Status.NO_CONTENT_204).send();
    }

    // ---------------------------------------------------------------------------------------------- views

    private void signedIn(ServerResponse res, Status status, SignedIn s) {
        people.setCookie(res, s.cookie());
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Json.send(res, status, session(s.user(), s.session(), s.memberships(), accounts.csrfToken(s.session().id())));
    }

    static ObjectNode session(User u, BrowserSession s, List<Membership> memberships, String csrf) {
        ObjectNode body = Json.object();
        body.set("user", user(u));
        ArrayNode list = body.putArray("memberships");
        memberships.forEach(m -> list.addObject().put("tenant_id", m.tenantId()).put("tenant_name", m.tenantName())
                .put("role", m.role().wire()).put("require_totp", m.requireTotp()));
        body.put("csrf_token", csrf);
        body.put("expires_at", Json.time(s.expiresAt()));
        return body;
    }

    static ObjectNode user(User u) {
        return Json.object().put("id", u.id()).put("email", u.email()).put("display_name", u.displayName())
                .put("locale", u.locale()).put("platform_admin", u.platformAdmin())
                .put("totp_enabled", u.totpEnabled()).put("presence", u.presence())
                .put("created_at", Json.time(u.createdAt()));
    }
}
