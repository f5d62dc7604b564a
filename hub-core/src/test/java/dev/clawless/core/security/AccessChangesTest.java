package dev.clawless.core.security;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.clawless.core.store.Database;
import dev.clawless.core.store.TestDatabases;
import dev.clawless.core.store.TestDatabases.Engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Changes of access read from the real audit log, on each engine. */
class AccessChangesTest {

    private final Clock clock = Clock.systemUTC();
    private Database database;

    @AfterEach
    void close() {
        if (database != null) {
            database.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void onlyChangesOfAccessRecordedSinceTheFirstPollAreReadOnceEach(Engine engine) {
        database = Database.open(TestDatabases.config(engine));
        AuditLog audit = new AuditLog(database, clock);
        record(audit, "api_key.revoked", "key_before");
        AccessChanges changes = new AccessChanges(database);
        assertEquals(List.of(), changes.poll(), "the first poll notes where the log ends");

        record(audit, "api_key.revoked", "key_1");
        record(audit, "label.created", "lbl_1");
        record(audit, "member.removed", "usr_1");
        assertEquals(List.of(new AccessChanges.Change("api_key.revoked", "key_1"),
                new AccessChanges.Change("member.removed", "usr_1")), changes.poll());
        assertEquals(List.of(), changes.poll(), "each once");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aRevocationWhoseTransactionCommitsAfterALaterOneIsStillRead(Engine engine) throws Exception {
        database = Database.open(TestDatabases.config(engine));
        AuditLog audit = new AuditLog(database, clock);
        AccessChanges changes = new AccessChanges(database);
        changes.poll();

        CountDownLatch recorded = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);
        Thread slow = Thread.ofVirtual().start(() -> database.inTransaction(tx -> {
            audit.record(tx, Actor.admin("req_slow"), Optional.of("ten_1"), "api_key.revoked", Optional.of("key_slow"),
                    Map.of());
            recorded.countDown();
            try {
                assertTrue(commit.await(30, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return null;
        }));
        assertTrue(recorded.await(30, TimeUnit.SECONDS));
        record(audit, "api_key.revoked", "key_fast"); // a later id, committed first
        assertEquals(List.of(new AccessChanges.Change("api_key.revoked", "key_fast")), changes.poll());
        assertEquals(1, changes.lateIds(), "the id still open is asked for again");

        commit.countDown();
        slow.join();
        assertEquals(List.of(new AccessChanges.Change("api_key.revoked", "key_slow")), changes.poll());
        assertEquals(0, changes.lateIds());
        assertEquals(List.of(), changes.poll());
    }

    private void record(AuditLog audit, String action, String target) {
        database.inTransaction(tx -> {
            audit.record(tx, Actor.admin("req_test"), Optional.of("ten_1"), action, Optional.of(target), Map.of());
            return null;
        });
    }
}
