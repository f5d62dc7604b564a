package dev.clawless.core.report;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.helidon.dbclient.DbExecute;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.store.Database;

/**
 * A tenant's activity per UTC day, computed from the stored conversations, messages, status changes, ratings and
 * daily usage; every day of the range is present, with zeros when nothing happened. Counts are grouped in the
 * database (portable SQL: the day of a timestamp is its epoch seconds divided by 86,400); resolutions and first
 * responses come from one row per close and one per conversation (correlated subqueries, no query per row), put
 * together here, where the medians are computed too. Thread-safe.
 *
 * <p>Definitions: a closed conversation reopens with the contact's next message, so a conversation is a series of
 * episodes. An episode begins with the conversation's creation or with the first inbound message after a close,
 * and ends with a close; a conversation reopened without a new inbound message (by a person) and closed again is
 * still the same episode. An answer to the rating question, and the close that follows it, neither begin nor end
 * an episode. Messages an admin sent as a connection's test ({@code test_message} in their metadata) count
 * nowhere; a conversation begun by one is not counted, and its first episode begins at its first inbound message.
 *
 * <p>A conversation counts on the day it was created. Messages in are inbound messages; messages out are the
 * assistant's and operators' outbound messages (not system notes). A resolution is an episode closed that day
 * (once per episode and day, however often it closed); it is a person's when an operator wrote in the
 * conversation or a person took it over during the episode (after the close that ended the one before), else the
 * assistant's. Its resolution time is the last close of the day minus the start of the episode. The first response
 * time of an episode is the time from its first inbound message to the first outbound message after it, counted on
 * the day of that inbound message. CSAT counts ratings given that day.
 */
public final class Reports {

    /** The longest range one report covers, in days. */
    public static final int MAX_DAYS = 366;

    private static final String DAY = "FLOOR(EXTRACT(EPOCH FROM %s) / 86400)";
    private static final String CLOSED = "%\"to\":\"closed\"%";
    private static final String TAKEN = "%\"to\":\"human\"%";
    /** Message metadata of an admin's test message, as stored (compact JSON). */
    private static final String TEST = "%\"test_message\":\"true\"%";
    private static final String STATUS_CHANGED = "'conversation.status_changed'";

    private final Database database;

    public Reports(Database database) {
        this.database = database;
    }

    /** Inbound and outbound messages of one channel type on one day. */
    public record ChannelCounts(long in, long out) {
    }

    /**
     * One day of the usage report.
     *
     * @param firstResponseSecondsMedian empty when no episode had its first inbound message that day and an answer
     *                                   to it
     * @param resolutionSecondsMedian    empty without resolutions
     * @param csatAverage                rounded to two decimals; empty without ratings
     * @param costMicros                 estimated cost, millionths of a USD
     */
    public record Day(LocalDate date, long conversations, long messagesIn, long messagesOut,
                      Map<String, ChannelCounts> byChannel, long resolvedAi, long resolvedHuman,
                      Optional<Double> firstResponseSecondsMedian, Optional<Double> resolutionSecondsMedian,
                      Optional<Double> csatAverage, long csatCount, long tokensIn, long tokensOut, long costMicros) {

        public Day {
            byChannel = java.util.Collections.unmodifiableMap(new TreeMap<>(byChannel));
        }
    }

    /** Usage of one provider and model on one day. */
    public record ModelDay(LocalDate date, String provider, String model, long messages, long tokensIn,
                           long tokensOut, long costMicros) {
    }

    /** The report of {@code from} to {@code to}, both inclusive. */
    public record UsageReport(LocalDate from, LocalDate to, List<Day> days, List<ModelDay> models) {

        public UsageReport {
            days = List.copyOf(days);
            models = List.copyOf(models);
        }
    }

    /**
     * The tenant's usage from {@code from} to {@code to} (UTC days, both inclusive).
     *
     * @throws ClawlessException.Validation when {@code to} is before {@code from} or the range is longer than
     *                                      {@link #MAX_DAYS}
     */
    public UsageReport usage(String tenantId, LocalDate from, LocalDate to) {
        if (to.isBefore(from)) {
            throw ClawlessException.Validation.of("to", "must be on or after from (" + from + ")");
        }
        if (ChronoUnit.DAYS.between(from, to) + 1 > MAX_DAYS) {
            throw ClawlessException.Validation.of("from", "a report covers at most " + MAX_DAYS + " days");
        }
        Instant start = from.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant end = to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        TreeMap<LocalDate, Acc> days = new TreeMap<>();
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            days.put(d, new Acc());
        }
        DbExecute exec = database.execute();
        conversations(exec, tenantId, start, end, days);
        messages(exec, tenantId, start, end, days);
        episodes(exec, tenantId, start, end, days);
        ratings(exec, tenantId, start, end, days);
        List<ModelDay> models = usage(exec, tenantId, from, to, days);
        List<Day> out = new ArrayList<>();
        days.forEach((date, a) -> out.add(a.day(date)));
        return new UsageReport(from, to, out, models);
    }

    private static void conversations(DbExecute exec, String tenantId, Instant start, Instant end,
                                      Map<LocalDate, Acc> days) {
        exec.createQuery("SELECT d, COUNT(*) FROM (SELECT " + DAY.formatted("c.created_at")
                        + " AS d FROM conversations c WHERE c.tenant_id = ? AND c.created_at >= ? AND c.created_at < ?"
                        + " AND NOT " + BEGUN_BY_TEST
                        + ") x GROUP BY d")
                .params(tenantId, Database.timestamp(start), Database.timestamp(end), TEST).execute()
                .forEach(r -> at(days, r.column(1).get(Object.class)).ifPresent(a ->
                        a.conversations += number(r.column(2).get(Object.class))));
    }

    private static void messages(DbExecute exec, String tenantId, Instant start, Instant end,
                                 Map<LocalDate, Acc> days) {
        exec.createQuery("SELECT d, channel_type, direction, COUNT(*) FROM (SELECT " + DAY.formatted("m.created_at")
                        + " AS d, c.channel_type, m.direction FROM messages m JOIN conversations c"
                        + " ON c.id = m.conversation_id WHERE m.tenant_id = ? AND m.created_at >= ? AND m.created_at < ?"
                        + " AND (m.direction = 'inbound' OR m.role IN ('assistant', 'operator'))"
                        + " AND m.metadata NOT LIKE ?) x GROUP BY d, channel_type, direction")
                .params(tenantId, Database.timestamp(start), Database.timestamp(end), TEST).execute()
                .forEach(r -> at(days, r.column(1).get(Object.class)).ifPresent(a -> {
                    String channel = r.column(2).get(String.class);
                    boolean in = "inbound".equals(r.column(3).get(String.class));
                    long n = number(r.column(4).get(Object.class));
                    long[] counts = a.byChannel.computeIfAbsent(channel, k -> new long[2]);
                    if (in) {
                        a.messagesIn += n;
                        counts[0] += n;
                    } else {
                        a.messagesOut += n;
                        counts[1] += n;
                    }
                }));
    }

    /** True when the conversation {@code c} was begun by an admin's test message (its first message). */
    private static final String BEGUN_BY_TEST = "EXISTS (SELECT 1 FROM messages t WHERE t.conversation_id = c.id"
            + " AND t.created_at <= c.created_at AND t.metadata LIKE ?)";
    /** Conversations with a close or an inbound message in the range: the only ones with resolutions or episodes. */
    private static final String ACTIVE = " IN (SELECT s.conversation_id FROM conversation_events s"
            + " WHERE s.tenant_id = ? AND s.type = " + STATUS_CHANGED + " AND s.data LIKE ? AND s.created_at >= ?"
            + " AND s.created_at < ? UNION SELECT i.conversation_id FROM messages i WHERE i.tenant_id = ?"
            + " AND i.direction = 'inbound' AND i.created_at >= ? AND i.created_at < ?)";
    /** The first answer (the assistant's or an operator's, not a test) at or after {@code x.<column>} in range. */
    private static final String ANSWER = "CASE WHEN x.%1$s >= ? AND x.%1$s < ? THEN (SELECT MIN(o.created_at)"
            + " FROM messages o WHERE o.conversation_id = x.conversation_id AND o.direction = 'outbound'"
            + " AND o.role IN ('assistant', 'operator') AND o.metadata NOT LIKE ? AND o.created_at >= x.%1$s) END";

    /** A conversation with activity in the range: its creation, its first inbound message and the answer to it. */
    private record Begun(Instant createdAt, boolean byTest, Optional<Instant> firstIn, Optional<Instant> answer) {
    }

    /**
     * A close of a conversation with activity in the range (every close up to the range's end, oldest first): the
     * first inbound message after it and the answer to that, the last operator message at or before it, and the
     * ids of the last take-over and rating before it (0 for none).
     */
    private record Close(long id, Instant at, Optional<Instant> nextIn, Optional<Instant> answer,
                         Optional<Instant> lastOperator, long lastTaken, long lastRated) {
    }

    /** One resolution: the last close of an episode on a day, when the episode began, whether a person worked it. */
    private record Resolution(Instant closed, Instant began, boolean human) {
    }

    /**
     * Resolutions and first responses, per episode: one row per conversation with activity in the range and one per
     * close of those, both with correlated subqueries only; the episodes are put together here.
     */
    private static void episodes(DbExecute exec, String tenantId, Instant start, Instant end,
                                 Map<LocalDate, Acc> days) {
        Object from = Database.timestamp(start);
        Object to = Database.timestamp(end);
        Map<String, Begun> begun = new HashMap<>();
        exec.createQuery("SELECT x.conversation_id, x.created_at, x.by_test, x.first_in, "
                        + ANSWER.formatted("first_in") + " FROM (SELECT c.id AS conversation_id, c.created_at,"
                        + " CASE WHEN " + BEGUN_BY_TEST
                        + " THEN 1 ELSE 0 END AS by_test, (SELECT MIN(m.created_at) FROM messages m"
                        + " WHERE m.conversation_id = c.id AND m.direction = 'inbound' AND m.metadata NOT LIKE ?)"
                        + " AS first_in FROM conversations c WHERE c.tenant_id = ? AND c.id" + ACTIVE + ") x")
                .params(from, to, TEST, TEST, TEST, tenantId, tenantId, CLOSED, from, to, tenantId, from, to)
                .execute()
                .forEach(r -> begun.put(r.column(1).get(String.class), new Begun(
                        Database.instant(r.column(2)).orElseThrow(), number(r.column(3).get(Object.class)) == 1,
                        Database.instant(r.column(4)), Database.instant(r.column(5)))));
        Map<String, List<Close>> closes = new HashMap<>();
        exec.createQuery("SELECT x.conversation_id, x.id, x.created_at, x.next_in, " + ANSWER.formatted("next_in")
                        + ", x.last_operator, x.last_taken, x.last_rated FROM (SELECT e.conversation_id, e.id,"
                        + " e.created_at, (SELECT MIN(m.created_at) FROM messages m"
                        + " WHERE m.conversation_id = e.conversation_id AND m.direction = 'inbound'"
                        + " AND m.metadata NOT LIKE ? AND m.created_at > e.created_at) AS next_in,"
                        + " (SELECT MAX(p.created_at) FROM messages p WHERE p.conversation_id = e.conversation_id"
                        + " AND p.role = 'operator' AND p.metadata NOT LIKE ? AND p.created_at <= e.created_at)"
                        + " AS last_operator, (SELECT MAX(h.id) FROM conversation_events h"
                        + " WHERE h.conversation_id = e.conversation_id AND h.type = " + STATUS_CHANGED
                        + " AND h.data LIKE ? AND h.id < e.id) AS last_taken, (SELECT MAX(q.id)"
                        + " FROM conversation_events q WHERE q.conversation_id = e.conversation_id"
                        + " AND q.type = 'csat.rated' AND q.id < e.id) AS last_rated"
                        + " FROM conversation_events e WHERE e.tenant_id = ? AND e.type = " + STATUS_CHANGED
                        + " AND e.data LIKE ? AND e.created_at < ? AND e.conversation_id" + ACTIVE + ") x"
                        + " ORDER BY x.conversation_id, x.id")
                .params(from, to, TEST, TEST, TEST, TAKEN, tenantId, CLOSED, to, tenantId, CLOSED, from, to, tenantId,
                        from, to)
                .execute()
                .forEach(r -> closes.computeIfAbsent(r.column(1).get(String.class), k -> new ArrayList<>())
                        .add(new Close(number(r.column(2).get(Object.class)),
                                Database.instant(r.column(3)).orElseThrow(), Database.instant(r.column(4)),
                                Database.instant(r.column(5)), Database.instant(r.column(6)),
                                number(r.column(7).get(Object.class)), number(r.column(8).get(Object.class)))));
        begun.forEach((conversationId, conversation) -> {
            List<Close> list = closes.getOrDefault(conversationId, List.of());
            // the first inbound message of each episode, with the answer to it
            Map<Instant, Optional<Instant>> starts = new HashMap<>();
            conversation.firstIn().ifPresent(t -> starts.put(t, conversation.answer()));
            list.forEach(c -> c.nextIn().ifPresent(t -> starts.putIfAbsent(t, c.answer())));
            // the last close of each episode and day
            Map<String, Resolution> resolutions = new HashMap<>();
            Optional<Instant> began = conversation.byTest() ? conversation.firstIn()
                    : Optional.of(conversation.createdAt());
            boolean human = false;
            int episode = 0;
            for (int k = 0; k < list.size(); k++) {
                Close c = list.get(k);
                Close prev = k == 0 ? null : list.get(k - 1);
                long after = prev == null ? 0 : prev.id();
                boolean person = c.lastTaken() > after
                        || c.lastOperator().filter(t -> prev == null || t.isAfter(prev.at())).isPresent();
                Optional<Instant> reopened = prev == null ? Optional.empty()
                        : prev.nextIn().filter(t -> !t.isAfter(c.at()));
                if (prev != null && c.lastRated() > after) {
                    // a rating: its answer reopened the conversation and this close followed; nothing began or ended
                    reopened.ifPresent(starts::remove);
                    human |= person;
                    continue;
                }
                if (reopened.isPresent()) {
                    episode++;
                    began = reopened;
                    human = person;
                } else {
                    human |= person; // closed again without a new message: the same episode
                }
                Optional<Instant> since = began.filter(t -> !t.isAfter(c.at()));
                if (since.isPresent() && days.containsKey(LocalDate.ofInstant(c.at(), ZoneOffset.UTC))) {
                    resolutions.put(episode + " " + LocalDate.ofInstant(c.at(), ZoneOffset.UTC),
                            new Resolution(c.at(), since.get(), human));
                }
            }
            resolutions.values().forEach(r -> {
                Acc a = days.get(LocalDate.ofInstant(r.closed(), ZoneOffset.UTC));
                if (r.human()) {
                    a.resolvedHuman++;
                } else {
                    a.resolvedAi++;
                }
                a.resolutionSeconds.add(seconds(r.began(), r.closed()));
            });
            starts.forEach((in, answer) -> {
                Acc a = days.get(LocalDate.ofInstant(in, ZoneOffset.UTC));
                if (a != null && answer.isPresent()) {
                    a.firstResponseSeconds.add(seconds(in, answer.get()));
                }
            });
        });
    }

    private static void ratings(DbExecute exec, String tenantId, Instant start, Instant end,
                                Map<LocalDate, Acc> days) {
        exec.createQuery("SELECT d, COUNT(*), SUM(rating) FROM (SELECT " + DAY.formatted("created_at")
                        + " AS d, rating FROM csat_responses WHERE tenant_id = ? AND created_at >= ? AND created_at < ?) x"
                        + " GROUP BY d")
                .params(tenantId, Database.timestamp(start), Database.timestamp(end)).execute()
                .forEach(r -> at(days, r.column(1).get(Object.class)).ifPresent(a -> {
                    a.csatCount += number(r.column(2).get(Object.class));
                    a.csatSum += number(r.column(3).get(Object.class));
                }));
    }

    private static List<ModelDay> usage(DbExecute exec, String tenantId, LocalDate from, LocalDate to,
                                        Map<LocalDate, Acc> days) {
        List<ModelDay> models = exec.createQuery("SELECT usage_day, provider, model, messages, tokens_in, tokens_out,"
                        + " cost_micros FROM usage_daily WHERE tenant_id = ? AND usage_day >= ? AND usage_day <= ?"
                        + " ORDER BY usage_day, provider, model")
                .params(tenantId, from, to).execute()
                .map(r -> new ModelDay(date(r.column(1).get(Object.class)), r.column(2).get(String.class),
                        r.column(3).get(String.class), number(r.column(4).get(Object.class)),
                        number(r.column(5).get(Object.class)), number(r.column(6).get(Object.class)),
                        number(r.column(7).get(Object.class))))
                .toList();
        for (ModelDay m : models) {
            Acc a = days.get(m.date());
            if (a != null) {
                a.tokensIn += m.tokensIn();
                a.tokensOut += m.tokensOut();
                a.costMicros += m.costMicros();
            }
        }
        return models;
    }

    /** The accumulator of the day a {@code DAY} column names, if the day is in the range. */
    private static Optional<Acc> at(Map<LocalDate, Acc> days, Object epochDay) {
        return Optional.ofNullable(days.get(LocalDate.ofEpochDay(number(epochDay))));
    }

    private static LocalDate date(Object value) {
        return switch (value) {
            case LocalDate d -> d;
            case java.sql.Date d -> d.toLocalDate();
            default -> LocalDate.parse(value.toString().substring(0, 10));
        };
    }

    private static long number(Object o) {
        return o == null ? 0 : ((Number) o).longValue();
    }

    private static double seconds(Instant from, Instant to) {
        return Math.max(0, Duration.between(from, to).toNanos()) / 1e9;
    }

    /** The median, rounded to milliseconds; empty for no values. */
    static Optional<Double> median(List<Double> values) {
        if (values.isEmpty()) {
            return Optional.empty();
        }
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        double m = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return Optional.of(Math.round(m * 1000) / 1000.0);
    }

    /** One day's figures while they are added up. */
    private static final class Acc {
        long conversations;
        long messagesIn;
        long messagesOut;
        final Map<String, long[]> byChannel = new TreeMap<>();
        long resolvedAi;
        long resolvedHuman;
        final List<Double> firstResponseSeconds = new ArrayList<>();
        final List<Double> resolutionSeconds = new ArrayList<>();
        long csatCount;
        long csatSum;
        long tokensIn;
        long tokensOut;
        long costMicros;

        Day day(LocalDate date) {
            Map<String, ChannelCounts> channels = new TreeMap<>();
            byChannel.forEach((k, v) -> channels.put(k, new ChannelCounts(v[0], v[1])));
            Optional<Double> csat = csatCount == 0 ? Optional.empty()
                    : Optional.of(Math.round(csatSum * 100.0 / csatCount) / 100.0);
            return new Day(date, conversations, messagesIn, messagesOut, channels, resolvedAi, resolvedHuman,
                    median(firstResponseSeconds), median(resolutionSeconds), csat, csatCount, tokensIn, tokensOut,
                    costMicros);
        }
    }
}
