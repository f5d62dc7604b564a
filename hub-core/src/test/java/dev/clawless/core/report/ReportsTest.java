package dev.clawless.core.report;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.Ids;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.conversation.ConversationStatus;
import dev.clawless.core.conversation.Ingested;
import dev.clawless.core.jobs.JobConfig;
import dev.clawless.core.jobs.JobQueue;
import dev.clawless.core.store.Database;
import dev.clawless.core.store.TestClock;
import dev.clawless.core.store.TestDatabases;
import dev.clawless.core.store.TestDatabases.Engine;
import dev.clawless.core.store.TestTenants;
import dev.clawless.core.tenant.Quotas;
import dev.clawless.core.usage.InMemoryRateLimiter;
import dev.clawless.core.usage.Prices;
import dev.clawless.core.usage.UsageMeter;
import dev.clawless.plugin.api.InboundMessage;
import dev.clawless.plugin.api.Participant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The daily usage report against a real database on each engine, with messages on both sides of a UTC midnight. */
class ReportsTest {

    private final TestClock clock = new TestClock(Instant.parse("2026-11-30T23:59:58Z"));
    private Database database;
    private ConversationManagement conversations;
    private UsageMeter usage;
    private Reports reports;
    private String tenant;
    private String other;

    private void open(Engine engine) {
        database = Database.open(TestDatabases.config(engine));
        conversations = new ConversationManagement(database, new JobQueue(database, JobConfig.DEFAULT, clock), clock,
                new Ids(clock));
        usage = new UsageMeter(database, Prices.parse("openai/gpt-4o-mini=0.15:0.60"), new InMemoryRateLimiter(),
                clock);
        reports = new Reports(database);
        tenant = TestTenants.create(database, clock, "Acme", new Quotas(-1, -1, -1));
        other = TestTenants.create(database, clock, "Other", new Quotas(-1, -1, -1));
    }

    @AfterEach
    void close() {
        if (database != null) {
            database.close();
        }
    }

    private Ingested inbound(String tenantId, String id, String thread) {
        return conversations.ingest(tenantId, InboundMessage.text("telegram", "con_report", id, thread,
                Participant.of("u-" + thread), "Hello " + id, clock.instant()));
    }

    private void tick(int seconds) {
        clock.advance(Duration.ofSeconds(seconds));
    }

    private void at(String instant) {
        clock.advance(Duration.between(clock.instant(), Instant.parse(instant)));
    }

    private static final java.util.Map<String, String> TEST_MESSAGE = java.util.Map.of("test_message", "true");

    @ParameterizedTest
    @EnumSource(Engine.class)
    void everyDayOfTheRangeIsReportedWithItsOwnFiguresAcrossAUtcMidnight(Engine engine) {
        open(engine);
        // 30 November, 23:59:58: conversation A, answered one second later, and its tokens
        Ingested a = inbound(tenant, "a1", "A");
        tick(1);
        conversations.recordReply(tenant, a.message(), "Hi!", java.util.Map.of());
        usage.record(tenant, "openai", "gpt-4o-mini", 100, 50);
        // 1 December, 00:00:01: conversation B, answered by an operator three seconds later and taken over
        tick(2);
        Ingested b = inbound(tenant, "b1", "B");
        tick(3);
        conversations.operatorReply(tenant, b.conversation().id(), "A person here");
        conversations.setStatus(tenant, a.conversation().id(), ConversationStatus.CLOSED); // 00:00:04
        tick(1);
        conversations.setStatus(tenant, b.conversation().id(), ConversationStatus.HUMAN);
        conversations.setStatus(tenant, b.conversation().id(), ConversationStatus.CLOSED); // 00:00:05, 4 s old
        tick(1);
        conversations.setStatus(tenant, a.conversation().id(), ConversationStatus.BOT);
        tick(2);
        conversations.setStatus(tenant, a.conversation().id(), ConversationStatus.CLOSED); // 00:00:08, 10 s old
        usage.record(tenant, "openai", "gpt-4o-mini", 10, 5);
        usage.record(tenant, "retrieval", "all-minilm-l6-v2", 7, 3);
        // another tenant's traffic on the same days is not this tenant's
        inbound(other, "x1", "X");
        usage.record(other, "openai", "gpt-4o-mini", 1000, 1000);

        Reports.UsageReport r = reports.usage(tenant, LocalDate.parse("2026-11-29"), LocalDate.parse("2026-12-02"));
        assertEquals(4, r.days().size());
        Reports.Day nov29 = r.days().get(0);
        Reports.Day nov30 = r.days().get(1);
        Reports.Day dec1 = r.days().get(2);
        Reports.Day dec2 = r.days().get(3);
        for (Reports.Day empty : List.of(nov29, dec2)) {
            assertEquals(new Reports.Day(empty.date(), 0, 0, 0, java.util.Map.of(), 0, 0, Optional.empty(),
                    Optional.empty(), Optional.empty(), 0, 0, 0, 0), empty);
        }
        assertEquals(LocalDate.parse("2026-11-30"), nov30.date());
        assertEquals(1, nov30.conversations());
        assertEquals(1, nov30.messagesIn());
        assertEquals(1, nov30.messagesOut());
        assertEquals(new Reports.ChannelCounts(1, 1), nov30.byChannel().get("telegram"));
        assertEquals(0, nov30.resolvedAi() + nov30.resolvedHuman());
        assertEquals(Optional.of(1.0), nov30.firstResponseSecondsMedian());
        assertEquals(Optional.empty(), nov30.resolutionSecondsMedian());
        assertEquals(100, nov30.tokensIn());
        assertEquals(50, nov30.tokensOut());
        assertEquals(100 * 0.15 + 50 * 0.60, nov30.costMicros(), 0.0001);

        assertEquals(1, dec1.conversations());
        assertEquals(1, dec1.messagesIn());
        assertEquals(1, dec1.messagesOut());
        assertEquals(1, dec1.resolvedAi(), "A, closed twice on the day, is one resolution");
        assertEquals(1, dec1.resolvedHuman(), "B had an operator's message");
        assertEquals(Optional.of(3.0), dec1.firstResponseSecondsMedian());
        assertEquals(Optional.of(7.0), dec1.resolutionSecondsMedian(), "A 10 s (its last close), B 4 s");
        assertEquals(Optional.empty(), dec1.csatAverage());
        assertEquals(17, dec1.tokensIn());
        assertEquals(8, dec1.tokensOut());

        assertEquals(3, r.models().size());
        assertEquals(new Reports.ModelDay(LocalDate.parse("2026-11-30"), "openai", "gpt-4o-mini", 1, 100, 50, 45),
                r.models().get(0));
        assertEquals("retrieval", r.models().get(2).provider());
        assertEquals(LocalDate.parse("2026-12-01"), r.models().get(2).date());

        // the other tenant sees only its own
        Reports.UsageReport theirs = reports.usage(other, LocalDate.parse("2026-11-30"),
                LocalDate.parse("2026-12-01"));
        assertEquals(1, theirs.days().get(1).conversations());
        assertEquals(0, theirs.days().get(0).conversations());
        assertEquals(1000, theirs.days().get(1).tokensIn());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aConversationReopenedDaysLaterIsANewEpisodeAndTestMessagesCountNowhere(Engine engine) {
        open(engine);
        // 1 December: E asks, an operator answers in 5 s, closed a minute after it began
        at("2026-12-01T10:00:00Z");
        Ingested e1 = inbound(tenant, "e1", "E");
        String e = e1.conversation().id();
        tick(5);
        conversations.operatorReply(tenant, e, "A person here");
        at("2026-12-01T10:01:00Z");
        conversations.setStatus(tenant, e, ConversationStatus.CLOSED);
        // 3 December: an admin's test message begins T, which is closed before anyone writes
        at("2026-12-03T08:00:00Z");
        String t = conversations.startConversation(tenant, "telegram", "con_report", "T", Participant.of("u-T"),
                Optional.empty(), "Ping from the console", TEST_MESSAGE).conversation().id();
        at("2026-12-03T08:30:00Z");
        conversations.setStatus(tenant, t, ConversationStatus.CLOSED);
        // E writes again and reopens; a test message goes to E, the assistant answers, E is closed again
        at("2026-12-03T09:00:00Z");
        Ingested e2 = inbound(tenant, "e2", "E");
        assertEquals(e, e2.conversation().id(), "one thread, one conversation");
        assertEquals(ConversationStatus.BOT, e2.conversation().status());
        tick(1);
        conversations.operatorReply(tenant, e, "Ping from the console", TEST_MESSAGE);
        tick(1);
        conversations.recordReply(tenant, e2.message(), "Hi again!", java.util.Map.of());
        at("2026-12-03T09:00:30Z");
        conversations.setStatus(tenant, e, ConversationStatus.CLOSED);
        // E rates it: the answer reopens E and the close after the rating is not another resolution
        at("2026-12-03T09:01:00Z");
        Ingested rating = inbound(tenant, "e3", "E");
        tick(1);
        conversations.publish(tenant, e, "csat.rated", "{\"conversation_id\":\"" + e + "\",\"rating\":5}");
        conversations.setStatus(tenant, e, ConversationStatus.CLOSED);
        conversations.recordReply(tenant, rating.message(), "Thank you for your rating!", java.util.Map.of());

        Reports.UsageReport r = reports.usage(tenant, LocalDate.parse("2026-12-01"), LocalDate.parse("2026-12-03"));
        Reports.Day dec1 = r.days().get(0);
        Reports.Day dec2 = r.days().get(1);
        Reports.Day dec3 = r.days().get(2);
        assertEquals(1, dec1.conversations());
        assertEquals(1, dec1.messagesIn());
        assertEquals(1, dec1.messagesOut());
        assertEquals(1, dec1.resolvedHuman(), "the operator wrote in the first episode");
        assertEquals(0, dec1.resolvedAi());
        assertEquals(Optional.of(5.0), dec1.firstResponseSecondsMedian());
        assertEquals(Optional.of(60.0), dec1.resolutionSecondsMedian());
        assertEquals(new Reports.Day(dec2.date(), 0, 0, 0, java.util.Map.of(), 0, 0, Optional.empty(),
                Optional.empty(), Optional.empty(), 0, 0, 0, 0), dec2);
        assertEquals(0, dec3.conversations(), "T was begun by a test message; E is two days old");
        assertEquals(2, dec3.messagesIn(), "E's question and its rating");
        assertEquals(2, dec3.messagesOut(), "the answer and the thanks, not the two test messages");
        assertEquals(new Reports.ChannelCounts(2, 2), dec3.byChannel().get("telegram"));
        assertEquals(1, dec3.resolvedAi(), "the second episode, answered by the assistant alone");
        assertEquals(0, dec3.resolvedHuman(), "the operator's message was in the first episode, the other a test");
        assertEquals(Optional.of(30.0), dec3.resolutionSecondsMedian(), "from the message that reopened E");
        assertEquals(Optional.of(2.0), dec3.firstResponseSecondsMedian(),
                "the assistant's answer, not the test message; the rating is no episode");
        assertEquals(dec3, reports.usage(tenant, LocalDate.parse("2026-12-03"), LocalDate.parse("2026-12-03"))
                .days().get(0), "the same day alone, its episode begun in it and the first close before it");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aReversedOrTooLongRangeIsRefusedNamingTheField(Engine engine) {
        open(engine);
        ClawlessException.Validation reversed = assertThrows(ClawlessException.Validation.class,
                () -> reports.usage(tenant, LocalDate.parse("2026-12-02"), LocalDate.parse("2026-12-01")));
        assertEquals("to", reversed.errors().get(0).field());
        ClawlessException.Validation tooLong = assertThrows(ClawlessException.Validation.class,
                () -> reports.usage(tenant, LocalDate.parse("2025-01-01"), LocalDate.parse("2026-01-02")));
        assertEquals("from", tooLong.errors().get(0).field());
        assertEquals(366, reports.usage(tenant, LocalDate.parse("2024-01-01"), LocalDate.parse("2024-12-31"))
                .days().size(), "a leap year is one report");
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertEquals(Optional.of(2.5), Reports.median(List.of(4.0, 1.0, 3.0, 2.0)));
        assertEquals(Optional.of(3.0), Reports.median(List.of(5.0, 3.0, 1.0)));
        assertTrue(Reports.median(List.of()).isEmpty());
    }
}
