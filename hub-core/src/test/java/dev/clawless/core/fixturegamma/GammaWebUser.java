package dev.clawless.core.fixturegamma;

import io.helidon.webserver.http.ServerRequest;

/** Test fixture: a core class that depends on the Helidon webserver, which the rule must reject. */
public final class GammaWebUser {
    public String path(ServerRequest request) {
        return request.path().path();
    }
}
