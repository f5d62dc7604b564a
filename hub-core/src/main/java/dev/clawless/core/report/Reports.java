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
 * database (portable SQL: the day of a timestamp is its epoch seconds divided by 86,400); medians are computed here
 * from one row per conversation. Thread-safe.
 *
 * <p>Definitions: a conversation counts on the day it was created. Messages in are inbound messages; messages out
 * are the assistant's and operators' outbound messages (not system notes). A resolution is a conversation closed
 * that day (once per conversation and day, however often it closed); it is a person's when an operator wrote in the
 * conversation or a person took it over before it closed, else the assistant's. The first response time of a
 * conversation is the time from its first inbound message to the first outbound message after it, counted on the
 * day of that first inbound message. The resolution time is the last close of the day minus the conversation's
 * creation. CSAT counts ratings given that day.
 */
public final class Reports {

    /** The longest range one report covers, in days. */
    public static final int MAX_DAYS = 366;

    private static final String DAY = "FLOOR(EXTRACT(EPOCH FROM %s) / 86400)";
    private static final String CLOSED = "%\"to\":\"closed\"%";
    private static final String TAKEN = "%\"to\":\"human\"%";

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
     * @param firstResponseSecondsMedian empty when no conversation had its first inbound message that day and an
     *                                   answer to it
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
        resolutions(exec, tenantId, start, end, days);
        firstResponses(exec, tenantId, start, end, days);
        ratings(exec, tenantId, start, end, days);
        List<ModelDay> models = usage(exec, tenantId, from, to, days);
        List<Day> out = new ArrayList<>();
        days.forEach((date, a) -> out.add(a.day(date)));
        return new UsageReport(from, to, out, models);
    }

    private static void conversations(DbExecute exec, String tenantId, Instant start, Instant end,
                                      Map<LocalDate, Acc> days) {
        exec.createQuery("SELECT d, COUNT(*) FROM (SELECT " + DAY.formatted("created_at") + " AS d FROM conversations"
                        + " WHERE tenant_id = ? AND created_at >= ? AND created_at < ?) x GROUP BY d")
                .params(tenantId, Database.timestamp(start), Database.timestamp(end)).execute()
                .forEach(r -> at(days, r.column(1).get(Object.class)).ifPresent(a ->
                        a.conversations += number(r.column(2).get(Object.class))));
    }

    private static void messages(DbExecute exec, String tenantId, Instant start, Instant end,
                                 Map<LocalDate, Acc> days) {
        exec.createQuery("SELECT d, channel_type, direction, COUNT(*) FROM (SELECT " + DAY.formatted("m.created_at")
                        + " AS d, c.channel_type, m.direction FROM messages m JOIN conversations c"
                        + " ON c.id = m.conversation_id WHERE m.tenant_id = ? AND m.created_at >= ? AND m.created_at < ?"
                        + " AND (m.direction = 'inbound' OR m.role IN ('assistant', 'operator'))) x"
                        + " GROUP BY d, channel_type, direction")
                .params(tenantId, Database.timestamp(start), Database.timestamp(end)).execute()
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

    /** Each close of the range, with the conversation's creation and whether a person had worked it by then. */
    private static void resolutions(DbExecute exec, String tenantId, Instant start, Instant end,
                                    Map<LocalDate, Acc> days) {
        record Close(String conversationId, Instant at, Instant created, boolean human) {
        }
        List<Close> closes = exec.createQuery("SELECT e.conversation_id, e.created_at, c.created_at,"
                        + " CASE WHEN EXISTS (SELECT 1 FROM messages o WHERE o.conversation_id = e.conversation_id"
                        + " AND o.role = 'operator' AND o.created_at <= e.created_at)"
                        + " OR EXISTS (SELECT 1 FROM conversation_events h WHERE h.conversation_id = e.conversation_id"
                        + " AND h.type = 'conversation.status_changed' AND h.data LIKE ? AND h.id < e.id)"
                        + " THEN 1 ELSE 0 END"
                        + " FROM conversation_events e JOIN conversations c ON c.id = e.conversation_id"
                        + " WHERE e.tenant_id = ? AND e.type = 'conversation.status_changed' AND e.data LIKE ?"
                        + " AND e.created_at >= ? AND e.created_at < ? ORDER BY e.id")
                .params(TAKEN, tenantId, CLOSED, Database.timestamp(start), Database.timestamp(end)).execute()
                .map(r -> new Close(r.column(1).get(String.class), Database.instant(r.column(2)).orElseThrow(),
                        Database.instant(r.column(3)).orElseThrow(), number(r.column(4).get(Object.class)) == 1))
                .toList();
        // the last close of each conversation and day: a conversation reopened and closed again is one resolution
        Map<LocalDate, Map<String, Close>> last = new HashMap<>();
        for (Close c : closes) {
            last.computeIfAbsent(LocalDate.ofInstant(c.at(), ZoneOffset.UTC), k -> new HashMap<>())
                    .put(c.conversationId(), c);
        }
        last.forEach((date, byConversation) -> {
            Acc a = days.get(date);
            if (a == null) {
                return;
            }
            for (Close c : byConversation.values()) {
                if (c.human()) {
                    a.resolvedHuman++;
                } else {
                    a.resolvedAi++;
                }
                a.resolutionSeconds.add(seconds(c.created(), c.at()));
            }
        });
    }

    private static void firstResponses(DbExecute exec, String tenantId, Instant start, Instant end,
                                       Map<LocalDate, Acc> days) {
        exec.createQuery("SELECT f.first_in, (SELECT MIN(o.created_at) FROM messages o"
                        + " WHERE o.conversation_id = f.conversation_id AND o.direction = 'outbound'"
                        + " AND o.role IN ('assistant', 'operator') AND o.created_at >= f.first_in)"
                        + " FROM (SELECT conversation_id, MIN(created_at) AS first_in FROM messages"
                        + " WHERE tenant_id = ? AND direction = 'inbound' AND created_at < ? GROUP BY conversation_id) f"
                        + " WHERE f.first_in >= ?")
                .params(tenantId, Database.timestamp(end), Database.timestamp(start)).execute()
                .forEach(r -> {
                    Instant in = Database.instant(r.column(1)).orElseThrow();
                    Optional<Instant> out = Database.instant(r.column(2));
                    Acc a = days.get(LocalDate.ofInstant(in, ZoneOffset.UTC));
                    if (a != null && out.isPresent()) {
                        a.firstResponseSeconds.add(seconds(in, out.get()));
                    }
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
