package dev.clawless.server.http;

import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Which template labels a path: the same answers as matching every route's pattern in order. */
class RoutesTest {

    private final Routes routes = new Routes()
            .get("/", (req, res) -> { })
            .get("/v1/conversations", (req, res) -> { })
            .get("/v1/conversations/{id}", (req, res) -> { })
            .post("/v1/conversations/{id}/messages", (req, res) -> { })
            .post("/hooks/{id}", (req, res) -> { })
            .get("/hooks/{id}", (req, res) -> { })
            .get("/widget.js", (req, res) -> { });

    @Test
    void aPathGetsTheTemplateOfTheRouteThatTakesIt() {
        assertEquals(Optional.of("/"), routes.template("/"));
        assertEquals(Optional.of("/v1/conversations"), routes.template("/v1/conversations"));
        assertEquals(Optional.of("/v1/conversations/{id}"), routes.template("/v1/conversations/cnv_1"));
        assertEquals(Optional.of("/v1/conversations/{id}/messages"),
                routes.template("/v1/conversations/cnv_1/messages"));
        assertEquals(Optional.of("/hooks/{id}"), routes.template("/hooks/con_9"));
        assertEquals(Optional.of("/widget.js"), routes.template("/widget.js"));
    }

    @Test
    void nearMissesAreNotTaken() {
        for (String path : new String[] {"", "/v1", "/v1/", "/v1/conversations/", "/v1/conversations//messages",
                "/hooks", "/hooks/", "/hooks/con_9/x", "/widgetXjs", "/v1/conversationsX", "/nothing/here",
                "/V1/conversations"}) {
            assertEquals(Optional.empty(), routes.template(path), path);
            assertEquals(routes.all().stream().filter(r -> r.pattern().matcher(path).matches()).findFirst()
                    .map(Routes.Route::template), routes.template(path), "as the patterns say: " + path);
        }
    }

    @Test
    void aTemplateWithAVariableInsideASegmentIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Routes().get("/v1/files/{id}.json", (req, res) -> { }));
        assertThrows(IllegalArgumentException.class, () -> new Routes().get("v1/files", (req, res) -> { }));
    }
}
