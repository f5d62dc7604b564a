package dev.clawless.server.http;

import io.helidon.webserver.http.ServerRequest;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.tenant.Scope;
import dev.clawless.core.tenant.TenantPrincipal;

/** Route-side checks of what {@link RequestFilter} resolved. */
public final class Auth {

    private Auth() {
    }

    /** The calling tenant key, whatever its scopes. */
    public static TenantPrincipal tenant(ServerRequest req) {
        return RequestState.of(req).principal()
                .orElseThrow(() -> new IllegalStateException("tenant route served without an authenticated key"));
    }

    /** The calling tenant key or person, which must hold one of {@code scopes} (403 otherwise). */
    public static TenantPrincipal requireAny(ServerRequest req, Scope... scopes) {
        TenantPrincipal p = tenant(req);
        for (Scope s : scopes) {
            if (p.has(s)) {
                return p;
            }
        }
        throw new ClawlessException.Forbidden("insufficient-scope", "this route needs one of the scopes "
                + java.util.Arrays.stream(scopes).map(Scope::wire).toList());
    }

    /** The calling tenant key, which must hold {@code scope} (403 otherwise). */
    public static TenantPrincipal require(ServerRequest req, Scope scope) {
        TenantPrincipal p = tenant(req);
        if (!p.has(scope)) {
            throw new ClawlessException.Forbidden("insufficient-scope", "this route needs an API key with the '"
                    + scope.wire() + "' scope");
        }
        return p;
    }
}
