package dev.clawless.server.api;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.server.TestHub;

import static dev.clawless.server.TestHub.await;
import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many idle streams cost the database nothing more: one pump per node reads new events and wakes the streams, and no
 * stream re-checks its caller on a timer. What is observed: every statement the hub sends to the database
 * ({@code Database.statements()}, counted by the database client), with and without streams, the pump's own count of
 * its reads, and the threads of the hub's JVM (one pump thread).
 */
class EventPumpServerTest {

    private static final int STREAMS = 200;
    private static TestHub hub;
    private static String key;

    private static long pumpsBefore;

    private static long pumpThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("clawless-event-pump"))
                .count();
    }

    @BeforeAll
    static void start() {
        pumpsBefore = pumpThreads(); // a hub of an earlier test class may still be letting its pump go
        hub = TestHub.start();
        key = hub.key(hub.tenant("Pump"), "[\"chat\",\"conversations:read\",\"conversations:write\"]");
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @Test
    void twoHundredIdleStreamsReadNoMoreEventsFromTheDatabaseThanNoneAndAllGetTheMessage() throws Exception {
        String id = json(hub.call("POST", "/v1/sessions", key, null)).get("id").asText();
        long[] idle = reads(Duration.ofSeconds(3));

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        List<List<String>> streams = new ArrayList<>();
        for (int i = 0; i < STREAMS; i++) {
            List<String> lines = new CopyOnWriteArrayList<>();
            streams.add(lines);
            HttpRequest request = HttpRequest.newBuilder(URI.create(hub.base() + "/v1/conversations/" + id
                    + "/events")).header("Authorization", "Bearer " + key).timeout(Duration.ofMinutes(2)).GET().build();
            Thread.ofVirtual().start(() -> {
                try {
                    HttpResponse<InputStream> r = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                    try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(),
                            StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = in.readLine()) != null) {
                            lines.add(line);
                        }
                    }
                } catch (Exception ended) {
                    lines.add("closed: " + ended);
                }
            });
        }
        try {
            // connected, and the stored conversation.created replayed from the database
            await("all streams replayed", () -> streams.stream().allMatch(l -> l.contains(
                    "event: conversation.created")));
            assertEquals(STREAMS, hub.hub().eventPump().subscribers());
            long pumps = pumpThreads();
            assertTrue(pumps >= 1 && pumps <= pumpsBefore + 1, "one pump thread for the node, whatever the number"
                    + " of streams: " + pumps + " (" + pumpsBefore + " before the hub started)");

            long[] busy = reads(Duration.ofSeconds(3));
            System.out.printf("in 3 s: %d reads of new events and %d statements with no stream, %d and %d with %d"
                    + " streams%n", idle[0], idle[1], busy[0], busy[1], STREAMS);
            assertTrue(idle[0] > 0, "the pump reads while idle");
            // per-stream polling was 200 streams x 5 per second x 3 s = 3,000 reads here
            assertTrue(busy[0] <= idle[0] * 3 / 2 + 5, "event reads grow with streams: " + idle[0] + " -> " + busy[0]);
            // a re-check of each caller every 5 s was 200 x 3 / 5 = 120 statements more here
            assertTrue(busy[1] <= idle[1] * 3 / 2 + 5, "statements grow with streams: " + idle[1] + " -> " + busy[1]);

            HttpResponse<String> sent = hub.call("POST", "/v1/conversations/" + id + "/messages", key,
                    "{\"text\":\"To all of you\"}");
            assertEquals(201, sent.statusCode(), sent.body());
            await("the message on every stream", () -> streams.stream().allMatch(l -> l.stream()
                    .anyMatch(line -> line.startsWith("data: ") && line.contains("To all of you"))));
        } finally {
            client.shutdownNow();
        }
    }

    /** The pump's reads of new events and all the hub's statements during {@code window}. */
    private static long[] reads(Duration window) throws InterruptedException {
        long pumped = hub.hub().eventPump().queries();
        long statements = hub.hub().database().statements();
        Thread.sleep(window.toMillis()); // a measuring window, not a wait for a result
        return new long[] {hub.hub().eventPump().queries() - pumped, hub.hub().database().statements() - statements};
    }
}
