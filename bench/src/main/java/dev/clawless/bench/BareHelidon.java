package dev.clawless.bench;

import io.helidon.webserver.WebServer;

/**
 * The anchor of {@code ingest}, {@code start} and {@code retrieval} modes: a bare Helidon 4 server, run as its own
 * process like the hub, whose {@code POST /hooks/{id}} reads the body and answers {@code 200 {"ok":true}}, whose
 * {@code GET /health/ready} answers {@code 200 {"status":"UP"}}, and whose {@code POST /v1/chat/completions} reads
 * the body and answers a fixed completion of about the hub's size. What the hub costs beyond this (verification,
 * parsing, storing; migrations and wiring at start; finding an answer) is what the ratio measures. Usage:
 * {@code BareHelidon PORT}; prints {@code ready} once listening.
 */
public final class BareHelidon {

    private static final byte[] COMPLETION = ("{\"id\":\"chatcmpl-bare\",\"object\":\"chat.completion\","
            + "\"created\":1,\"model\":\"retrieval/all-minilm-l6-v2\",\"choices\":[{\"index\":0,\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"Orders arrive in 3 to 5 business days within the country.\"},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":14,"
            + "\"total_tokens\":26}}").getBytes(java.nio.charset.StandardCharsets.UTF_8);

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
                })
                .post("/v1/chat/completions", (req, res) -> {
                    byte[] body = req.content().as(byte[].class);
                    if (body.length == 0) {
                        res.status(400);
                    }
                    res.header("Content-Type", "application/json");
                    res.send(COMPLETION);
                }))
                .build().start();
        System.out.println("ready " + server.port());
    }
}
