package dev.clawless.bench;

import io.helidon.webserver.WebServer;

/**
 * The anchor of {@code ingest} and {@code start} modes: a bare Helidon 4 server, run as its own process like the hub,
 * whose {@code POST /hooks/{id}} reads the body and answers {@code 200 {"ok":true}}, and whose
 * {@code GET /health/ready} answers {@code 200 {"status":"UP"}}. What the hub's webhook ack (verification, parsing,
 * storing) or its start (migrations, wiring) costs beyond this is what the ratio measures. Usage:
 * {@code BareHelidon PORT}; prints {@code ready} once listening.
 */
public final class BareHelidon {

    private BareHelidon() {
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        byte[] ok = "{\"ok\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] up = "{\"status\":\"UP\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        WebServer server = WebServer.builder().host("127.0.0.1").port(port)
                .routing(r -> r.get("/health/ready", (req, res) -> {
                    res.header("Content-Type", "application/json");
                    res.send(up);
                }).post("/hooks/{id}", (req, res) -> {
                    byte[] body = req.content().as(byte[].class);
                    if (body.length == 0) {
                        res.status(400);
                    }
                    res.header("Content-Type", "application/json");
                    res.send(ok);
                }))
                .build().start();
        System.out.println("ready " + server.port());
    }
}
