package dev.clawless.core.inbox;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.ClawlessException.FieldError;

/**
 * When a tenant's people answer: opening intervals per weekday in one time zone ({@code "mon": ["09:00-17:00"]}).
 *
 * @param zone the tenant's time zone
 * @param days opening intervals per day; a day without intervals is closed
 */
public record BusinessHours(ZoneId zone, Map<DayOfWeek, List<Interval>> days) {

    /** From {@code start} (inclusive) to {@code end} (exclusive), within one day. */
    public record Interval(LocalTime start, LocalTime end) {
        @Override
        public String toString() {
            return start + "-" + end;
        }
    }

    public BusinessHours {
        Map<DayOfWeek, List<Interval>> copy = new EnumMap<>(DayOfWeek.class);
        days.forEach((d, list) -> copy.put(d, List.copyOf(list)));
        days = Map.copyOf(copy);
    }

    static final List<String> DAY_NAMES = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");

    /**
     * Reads {@code {timezone, days: {"mon": ["09:00-17:00"], …}}}.
     *
     * @throws ClawlessException.Validation naming the bad field
     */
    public static BusinessHours parse(String timezone, Map<String, List<String>> days, String field) {
        List<FieldError> errors = new ArrayList<>();
        ZoneId zone = ZoneId.of("UTC");
        try {
            zone = ZoneId.of(timezone);
        } catch (RuntimeException e) {
            errors.add(new FieldError(field + ".timezone", "must be a time zone such as America/Bogota"));
        }
        Map<DayOfWeek, List<Interval>> out = new EnumMap<>(DayOfWeek.class);
        days.forEach((name, list) -> {
            int i = DAY_NAMES.indexOf(name);
            if (i < 0) {
                errors.add(new FieldError(field + ".days." + name, "must be one of " + DAY_NAMES));
                return;
            }
            List<Interval> intervals = new ArrayList<>();
            for (int j = 0; j < list.size(); j++) {
                String v = list.get(j);
                try {
                    String[] parts = v.split("-", 2);
                    LocalTime start = LocalTime.parse(parts[0].strip());
                    LocalTime end = parts[1].strip().equals("24:00") ? LocalTime.MAX : LocalTime.parse(parts[1].strip());
                    if (!end.isAfter(start)) {
                        throw new IllegalArgumentException();
                    }
                    intervals.add(new Interval(start, end));
                } catch (RuntimeException e) {
                    errors.add(new FieldError(field + ".days." + name + "[" + j + "]", "must be HH:MM-HH:MM"));
                }
            }
            intervals.sort(java.util.Comparator.comparing(Interval::start));
            for (int j = 1; j < intervals.size(); j++) {
                if (intervals.get(j).start().isBefore(intervals.get(j - 1).end())) {
                    errors.add(new FieldError(field + ".days." + name, "intervals " + intervals.get(j - 1) + " and "
                            + intervals.get(j) + " overlap"));
                }
            }
            out.put(DayOfWeek.of(i + 1), intervals);
        });
        if (!errors.isEmpty()) {
            throw ClawlessException.Validation.of(errors);
        }
        return new BusinessHours(zone, out);
    }

    /** True when {@code at} falls in an opening interval. */
    public boolean isOpen(Instant at) {
        ZonedDateTime local = at.atZone(zone);
        LocalTime time = local.toLocalTime();
        return days.getOrDefault(local.getDayOfWeek(), List.of()).stream()
                .anyMatch(i -> !time.isBefore(i.start()) && time.isBefore(i.end()));
    }

    /** The next time the tenant opens after {@code at}, within a week; empty when it never opens. */
    public Optional<ZonedDateTime> nextOpening(Instant at) {
        ZonedDateTime local = at.atZone(zone);
        for (int d = 0; d <= 7; d++) {
            ZonedDateTime day = local.plusDays(d);
            for (Interval i : days.getOrDefault(day.getDayOfWeek(), List.of())) {
                ZonedDateTime opens = day.with(i.start());
                if (opens.isAfter(local)) {
                    return Optional.of(opens);
                }
            }
        }
        return Optional.empty();
    }

    /** How a next opening reads in a message: {@code Monday 09:00 (America/Bogota)}. */
    public static String describe(ZonedDateTime opening) {
        return opening.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH) + " "
                + String.format("%02d:%02d", opening.getHour(), opening.getMinute()) + " (" + opening.getZone() + ")";
    }

    /** As stored and shown: day name → intervals. */
    public Map<String, List<String>> daysWire() {
        Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        for (DayOfWeek d : DayOfWeek.values()) {
            List<Interval> list = days.get(d);
            if (list != null) {
                out.put(DAY_NAMES.get(d.getValue() - 1), list.stream().map(i -> i.start() + "-"
                        + (i.end().equals(LocalTime.MAX) ? "24:00" : i.end().toString())).toList());
            }
        }
        return out;
    }
}
