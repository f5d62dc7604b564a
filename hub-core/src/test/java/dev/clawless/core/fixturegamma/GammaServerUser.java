package dev.clawless.core.fixturegamma;

import dev.clawless.server.fixture.ServerThing;

/** Test fixture: a core class that depends on hub-server, which the rule must reject. */
public final class GammaServerUser {
    public String use() {
        return new ServerThing().toString();
    }
}
