package dev.clawless.server.http;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.account.Accounts;
import dev.clawless.core.account.Memberships;
import dev.clawless.core.account.Role;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.tenant.Tenant;
import dev.clawless.core.tenant.TenantManagement;
import dev.clawless.core.tenant.TenantPrincipal;
import dev.clawless.core.tenant.TenantStatus;

/**
 * People in the browser: the session cookie, its CSRF token, and which tenant a person acts for. A request with a
 * session cookie and no {@code Authorization} header is the person's; a state-changing one must carry the session's
 * CSRF token. On {@code /v1} the person acts for the tenant named by {@code X-Clawless-Tenant} (or {@code ?tenant=}
 * on reads, which {@code EventSource} needs), with the scopes of their role there; a tenant they are not a member of
 * is not found. Platform admins act as owners of every tenant and may call {@code /admin}.
 */
public final class PersonAuth {

    /** The session cookie's name over plain http (development, a hub behind nothing). */
    public static final String COOKIE = "clawless_session";
    /**
     * Its name over https: the {@code __Host-} prefix makes browsers refuse it unless it is {@code Secure}, for
     * {@code Path=/} and set by this host itself, so a sibling subdomain cannot plant or shadow it.
     */
    public static final String SECURE_COOKIE = "__Host-" + COOKIE;
    public static final HeaderName CSRF = HeaderNames.create("X-CSRF-Token");
    public static final HeaderName TENANT = HeaderNames.create("X-Clawless-Tenant");
    private static final List<Method> SAFE = List.of(Method.GET, Method.HEAD, Method.OPTIONS);

    private final Accounts accounts;
    private final Memberships memberships;
    private final TenantManagement tenants;
    private final boolean secureCookies;
    private final Duration lifetime;
    private final String cookieName;

    /**
     * @param secureCookies mark the cookie {@code Secure} (the hub is reached over https)
     * @param lifetime      how long the cookie lives in the browser
     */
    public PersonAuth(Accounts accounts, Memberships memberships, TenantManagement tenants, boolean secureCookies,
                      Duration lifetime) {
        this.accounts = accounts;
        this.memberships = memberships;
        this.tenants = tenants;
        this.secureCookies = secureCookies;
        this.lifetime = lifetime;
        this.cookieName = secureCookies ? SECURE_COOKIE : COOKIE;
    }

    public Accounts accounts() {
        return accounts;
    }

    /** The person of the request's session cookie, if it names a live session. */
    public Optional<Accounts.Authenticated> session(RoutingRequest req) {
        return session(req, true);
    }

    /** As {@link #session(RoutingRequest)}; {@code use} false for a re-check that is not a use of the session. */
    Optional<Accounts.Authenticated> session(RoutingRequest req, boolean use) {
        return cookie(req.headers().first(HeaderNames.COOKIE).orElse("")).flatMap(c -> accounts.authenticate(c, use));
    }

    /**
     * Authenticates a request that has no {@code Authorization} header by its session cookie.
     *
     * @param tenantRoute a {@code /v1} route that acts for a tenant (not {@code /v1/me})
     * @param adminRoute  an {@code /admin} route
     * @param use         the request is a use of the session (false: a stream's re-check, which keeps no session
     *                    from going idle)
     * @throws ClawlessException.Unauthorized without a live session
     * @throws ClawlessException.Forbidden   without the CSRF token on a state-changing request, or a non-admin on
     *                                       {@code /admin}
     */
    void authenticate(RoutingRequest req, RequestState state, boolean tenantRoute, boolean adminRoute, boolean use) {
        Accounts.Authenticated who = session(req, use).orElseThrow(() -> new ClawlessException.Unauthorized(
                "sign in (POST /v1/auth/login), or send " + (adminRoute ? "the admin token" : "an API key")
                        + " as Authorization: Bearer <token>"));
        state.person(who);
        requireCsrf(req, who);
        if (adminRoute) {
            if (!who.user().platformAdmin()) {
                throw new ClawlessException.Forbidden("not-platform-admin", "this route is for platform admins");
            }
            state.admin(true);
            return;
        }
        if (tenantRoute) {
            state.principal(principal(req, who));
        }
    }

    /** Checks the CSRF token of a cookie-authenticated, state-changing request. */
    void requireCsrf(RoutingRequest req, Accounts.Authenticated who) {
        if (SAFE.contains(req.prologue().method())) {
            return;
        }
        String token = req.headers().first(CSRF).orElse("");
        if (token.isEmpty() || !accounts.csrfMatches(who.session().id(), token)) {
            throw new ClawlessException.Forbidden("csrf", "send the session's csrf_token as X-CSRF-Token");
        }
    }

    private TenantPrincipal principal(RoutingRequest req, Accounts.Authenticated who) {
        Optional<String> named = req.headers().first(TENANT).map(String::strip).filter(t -> !t.isEmpty())
                .or(() -> SAFE.contains(req.prologue().method()) ? req.query().first("tenant").asOptional()
                        : Optional.empty());
        String tenantId;
        if (named.isPresent()) {
            tenantId = named.get();
        } else {
            var mine = accounts.memberships(who.user().id());
            if (mine.size() != 1) {
                throw ClawlessException.Validation.of("X-Clawless-Tenant", "name the tenant to act for (you are a"
                        + " member of " + mine.size() + ")");
            }
            tenantId = mine.get(0).tenantId();
        }
        if (!tenantId.matches("ten_[0-9a-z]{10,40}")) {
            throw new ClawlessException.NotFound("no tenant " + tenantId.replaceAll("[^\\x21-\\x7e]", "?"));
        }
        Optional<Role> role = who.user().platformAdmin() ? Optional.of(Role.OWNER)
                : accounts.role(who.user().id(), tenantId);
        if (role.isEmpty()) {
            throw new ClawlessException.NotFound("no tenant " + tenantId);
        }
        Tenant tenant = tenants.get(tenantId);
        if (tenant.status() == TenantStatus.SUSPENDED) {
            throw new ClawlessException.Forbidden("tenant-suspended", "the tenant is suspended");
        }
        if (!who.user().totpEnabled() && !who.user().platformAdmin() && memberships.requireTotp(tenantId)) {
            throw new ClawlessException.Forbidden("totp-required", "this tenant requires a second factor: turn it on"
                    + " in your profile (POST /v1/me/totp)");
        }
        return TenantPrincipal.person(tenant, who.user().id(), role.get().scopes());
    }

    /** Sets the session cookie on a response. */
    public void setCookie(ServerResponse res, String value) {
        res.header(HeaderNames.SET_COOKIE, cookieName + "=" + value + "; Path=/; Max-Age=" + lifetime.toSeconds()
                + "; HttpOnly; SameSite=Lax" + (secureCookies ? "; Secure" : ""));
    }

    /** Clears the session cookie. */
    public void clearCookie(ServerResponse res) {
        res.header(HeaderNames.SET_COOKIE, cookieName + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
                + (secureCookies ? "; Secure" : ""));
    }

    Optional<String> cookie(String header) {
        for (String part : header.split(";")) {
            String p = part.strip();
            if (p.startsWith(cookieName + "=")) {
                String v = p.substring(cookieName.length() + 1).strip();
                return v.isEmpty() ? Optional.empty() : Optional.of(v);
            }
        }
        return Optional.empty();
    }
}
