package dev.clawless.server.transcripts;

import static dev.clawless.server.TestHub.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.clawless.server.TestHub;

/**
 * The transcript store against a MongoDB wire-protocol server in this JVM (mongo-java-server, not mongod): every
 * event and message is copied after it commits, exactly once; while MongoDB cannot be reached the events wait and
 * the hub keeps answering; when it can again, the copy catches up, still exactly once.
 */
class TranscriptsServerTest {

    private static MongoServer mongo;
    private static Proxy proxy;
    private static TestHub hub;
    private static MongoClient reader;

    /** A TCP proxy between the hub and MongoDB that can be cut (connections dropped, new ones refused) and restored. */
    private static final class Proxy implements AutoCloseable {
        private final InetSocketAddress target;
        private final int port;
        private volatile ServerSocket server;
        private final List<Socket> open = new CopyOnWriteArrayList<>();

        Proxy(InetSocketAddress target) throws IOException {
            this.target = target;
            try (ServerSocket probe = new ServerSocket(0)) {
                this.port = probe.getLocalPort();
            }
            up();
        }

        void up() throws IOException {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", port));
            server = s;
            Thread.ofVirtual().start(() -> {
                while (!s.isClosed()) {
                    try {
                        Socket client = s.accept();
                        Socket upstream = new Socket(target.getAddress(), target.getPort());
                        open.add(client);
                        open.add(upstream);
                        pipe(client, upstream);
                        pipe(upstream, client);
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        private static void pipe(Socket from, Socket to) {
            Thread.ofVirtual().start(() -> {
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    in.transferTo(out);
                } catch (IOException e) {
                    // cut
                } finally {
                    try {
                        to.close();
                        from.close();
                    } catch (IOException ignored) {
                        // already closed
                    }
                }
            });
        }

        void down() throws IOException {
            server.close();
            for (Socket s : open) {
                s.close();
            }
            open.clear();
        }

        @Override
        public void close() throws IOException {
            down();
        }
    }

    @BeforeAll
    static void start() throws IOException {
        mongo = new MongoServer(new MemoryBackend());
        InetSocketAddress address = mongo.bind();
        proxy = new Proxy(address);
        reader = MongoClients.create("mongodb://" + address.getHostString() + ":" + address.getPort());
        hub = TestHub.start(Map.of("CLAWLESS_TRANSCRIPTS_MONGODB_URI", "mongodb://127.0.0.1:" + proxy.port
                + "/archive"));
    }

    @AfterAll
    static void stop() throws IOException {
        hub.close();
        reader.close();
        proxy.close();
        mongo.shutdownNow();
    }

    private static MongoDatabase archive() {
        return reader.getDatabase("archive");
    }

    /** The hub's own events, by id. */
    private static List<Long> eventIds() {
        return hub.hub().database().execute().createQuery("SELECT id FROM conversation_events ORDER BY id").execute()
                .map(r -> ((Number) r.column(1).get(Object.class)).longValue()).toList();
    }

    private static Set<Long> archivedIds() {
        Set<Long> ids = new HashSet<>();
        archive().getCollection("events").find().forEach(d -> ids.add(((Number) d.get("_id")).longValue()));
        return ids;
    }

    private static long backlog() {
        return hub.hub().database().execute().createGet("SELECT COUNT(*) FROM transcript_outbox").execute()
                .map(r -> ((Number) r.column(1).get(Object.class)).longValue()).orElse(0L);
    }

    private static void chats(String key, int n, String prefix) {
        for (int i = 0; i < n; i++) {
            String session = json(hub.call("POST", "/v1/sessions", key, null)).get("id").asText();
            assertEquals(200, hub.call("POST", "/v1/chat/completions", key, "{\"session_id\":\"" + session
                    + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prefix + " " + i + "\"}]}")
                    .statusCode());
        }
    }

    @Test
    void everyEventIsCopiedOnceAndAnOutageOnlyDelaysIt() throws IOException {
        String tenant = hub.tenant("Archived");
        String key = hub.key(tenant, "[\"chat\",\"conversations:read\"]");
        chats(key, 3, "before");
        TestHub.await("the events copied", () -> archivedIds().size() == eventIds().size() && backlog() == 0);
        assertEquals(new HashSet<>(eventIds()), archivedIds());

        Document message = archive().getCollection("messages").find(new Document("role", "user")).first();
        assertTrue(message != null && message.getString("text").startsWith("before"), String.valueOf(message));
        assertEquals(tenant, message.getString("tenant_id"));
        Document event = archive().getCollection("events").find(new Document("type", "message.created")).first();
        assertEquals(tenant, event.getString("tenant_id"));
        assertTrue(event.get("data") instanceof Document, "the event's data as a document, not a string");
        List<String> indexes = new ArrayList<>();
        archive().getCollection("events").listIndexes().forEach(i -> indexes.add(i.getString("name")));
        assertTrue(indexes.contains("tenant_conversation"), indexes.toString());

        // MongoDB goes away: the hub keeps answering, the events wait
        proxy.down();
        int copied = archivedIds().size();
        chats(key, 3, "during");
        assertTrue(backlog() > 0, "events wait in the outbox");
        assertEquals(copied, archivedIds().size(), "nothing reached MongoDB meanwhile");

        // it comes back: the copy catches up, each event once
        proxy.up();
        TestHub.await("the copy caught up", () -> backlog() == 0 && archivedIds().size() == eventIds().size());
        assertEquals(new HashSet<>(eventIds()), archivedIds());
        assertEquals(eventIds().size(), archive().getCollection("events").countDocuments(),
                "no event twice");
        long messages = hub.hub().database().execute().createGet("SELECT COUNT(*) FROM messages").execute()
                .map(r -> ((Number) r.column(1).get(Object.class)).longValue()).orElse(0L);
        assertEquals(messages, archive().getCollection("messages").countDocuments(), "every message, once");
        assertTrue(hub.call("GET", "/metrics", null, null).body().contains("clawless_transcripts_backlog"));

        // a second copy of everything (another node, or one stopped between a copy and its removal from the
        // outbox) changes nothing: no event twice, no message set back to an older event's state
        Map<String, Long> newest = new java.util.HashMap<>();
        archive().getCollection("messages").find().forEach(d -> newest.put(d.getString("_id"),
                ((Number) d.get("event_id")).longValue()));
        hub.hub().database().execute().createInsert("INSERT INTO transcript_outbox (event_id, created_at) SELECT id,"
                + " created_at FROM conversation_events").execute();
        TestHub.await("the second copy done", () -> backlog() == 0);
        assertEquals(eventIds().size(), archive().getCollection("events").countDocuments());
        Map<String, Long> after = new java.util.HashMap<>();
        archive().getCollection("messages").find().forEach(d -> after.put(d.getString("_id"),
                ((Number) d.get("event_id")).longValue()));
        assertEquals(newest, after);
    }
}
