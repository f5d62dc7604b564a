package dev.clawless.server.api;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.report.Reports;
import dev.clawless.core.tenant.Quotas;
import dev.clawless.core.tenant.Scope;
import dev.clawless.core.tenant.Tenant;
import dev.clawless.core.tenant.TenantManagement;
import dev.clawless.core.usage.UsageMeter;
import dev.clawless.core.usage.UsageSummary;
import dev.clawless.server.http.Auth;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.Routes;

/**
 * {@code GET /v1/reports/usage} (scope {@code usage:read}) and {@code GET /admin/tenants/{id}/reports/usage}: the
 * daily usage report as JSON, or as CSV ({@code ?format=csv} or {@code Accept: text/csv}).
 */
public final class ReportRoutes {

    /** The CSV's columns, in order; every cell is a date or a number. */
    static final List<String> CSV_COLUMNS = List.of("date", "conversations", "messages_in", "messages_out",
            "resolved_ai", "resolved_human", "first_response_seconds_median", "resolution_seconds_median",
            "csat_average", "csat_count", "tokens_in", "tokens_out", "cost_usd");
    private static final int DEFAULT_DAYS = 30;

    private final Reports reports;
    private final UsageMeter usage;
    private final TenantManagement tenants;
    private final Clock clock;

    public ReportRoutes(Reports reports, UsageMeter usage, TenantManagement tenants, Clock clock) {
        this.reports = reports;
        this.usage = usage;
        this.tenants = tenants;
        this.clock = clock;
    }

    public void register(Routes routes) {
        routes.get("/v1/reports/usage", this::own)
                .get("/admin/tenants/{id}/reports/usage", this::ofTenant);
    }

    private void own(ServerRequest req, ServerResponse res) {
        Tenant t = Auth.require(req, Scope.USAGE_READ).tenant();
        send(req, res, t);
    }

    private void ofTenant(ServerRequest req, ServerResponse res) {
        send(req, res, tenants.get(Inputs.pathId(req, "ten", "tenant")));
    }

    private void send(ServerRequest req, ServerResponse res, Tenant t) {
        boolean csv = csv(req);
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        List<ClawlessException.FieldError> errors = new java.util.ArrayList<>();
        Optional<LocalDate> from = day(req, "from", errors);
        Optional<LocalDate> to = day(req, "to", errors);
        if (!errors.isEmpty()) {
            throw ClawlessException.Validation.of(errors);
        }
        LocalDate last = to.orElse(today);
        Reports.UsageReport report = reports.usage(t.id(), from.orElse(last.minusDays(DEFAULT_DAYS - 1)), last);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        if (csv) {
            res.header(HeaderNames.CONTENT_TYPE, "text/csv; charset=utf-8");
            res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"usage-" + t.id() + "-"
                    + report.from() + "-" + report.to() + ".csv\"");
            res.status(Status.OK_200);
            res.send(csv(report).getBytes(StandardCharsets.UTF_8));
            return;
        }
        Json.send(res, Status.OK_200, view(t, report));
    }

    /** CSV when asked by {@code ?format=csv}, or by {@code Accept: text/csv} without a format. */
    private static boolean csv(ServerRequest req) {
        Optional<String> format = Inputs.query(req, "format");
        if (format.isPresent()) {
            return switch (format.get().toLowerCase(Locale.ROOT)) {
                case "csv" -> true;
                case "json" -> false;
                default -> throw ClawlessException.Validation.of("format", "must be json or csv");
            };
        }
        return req.headers().first(HeaderNames.ACCEPT).orElse("").toLowerCase(Locale.ROOT).contains("text/csv");
    }

    private static Optional<LocalDate> day(ServerRequest req, String field,
                                           List<ClawlessException.FieldError> errors) {
        Optional<String> value = Inputs.query(req, field);
        try {
            return value.map(LocalDate::parse);
        } catch (RuntimeException e) {
            errors.add(new ClawlessException.FieldError(field, "must be a date, YYYY-MM-DD"));
            return Optional.empty();
        }
    }

    private ObjectNode view(Tenant t, Reports.UsageReport r) {
        ObjectNode node = Json.object();
        node.put("tenant_id", t.id());
        node.put("from", r.from().toString());
        node.put("to", r.to().toString());
        ArrayNode days = node.putArray("days");
        for (Reports.Day d : r.days()) {
            ObjectNode n = days.addObject();
            n.put("date", d.date().toString());
            n.put("conversations", d.conversations());
            n.put("messages_in", d.messagesIn());
            n.put("messages_out", d.messagesOut());
            ObjectNode channels = n.putObject("by_channel");
            d.byChannel().forEach((type, c) -> channels.putObject(type).put("in", c.in()).put("out", c.out()));
            n.put("resolved_ai", d.resolvedAi());
            n.put("resolved_human", d.resolvedHuman());
            n.put("first_response_seconds_median", d.firstResponseSecondsMedian().orElse(null));
            n.put("resolution_seconds_median", d.resolutionSecondsMedian().orElse(null));
            n.put("csat_average", d.csatAverage().orElse(null));
            n.put("csat_count", d.csatCount());
            n.put("tokens_in", d.tokensIn());
            n.put("tokens_out", d.tokensOut());
            n.put("cost_usd", d.costMicros() / 1_000_000.0);
        }
        ArrayNode models = node.putArray("models");
        for (Reports.ModelDay m : r.models()) {
            models.addObject().put("date", m.date().toString()).put("provider", m.provider()).put("model", m.model())
                    .put("messages", m.messages()).put("tokens_in", m.tokensIn()).put("tokens_out", m.tokensOut())
                    .put("cost_usd", m.costMicros() / 1_000_000.0);
        }
        node.set("quotas", quotas(t));
        return node;
    }

    /** The quotas in force and what remains of them this month, as {@code GET /v1/usage} counts them. */
    private ObjectNode quotas(Tenant t) {
        Quotas q = tenants.effectiveQuotas(t);
        UsageSummary s = usage.summary(t.id(), usage.currentPeriod());
        ObjectNode node = Json.object();
        node.put("period", s.period());
        node.set("limits", Views.quotas(q));
        node.putObject("used").put("messages", s.messages()).put("tokens", s.tokens());
        node.putObject("remaining")
                .put("messages", q.messagesPerMonth() < 0 ? -1 : Math.max(0, q.messagesPerMonth() - s.messages()))
                .put("tokens", q.tokensPerMonth() < 0 ? -1 : Math.max(0, q.tokensPerMonth() - s.tokens()));
        return node;
    }

    /** RFC 4180 CSV: a header row, then one row per day, CRLF line ends. */
    static String csv(Reports.UsageReport r) {
        StringBuilder out = new StringBuilder();
        out.append(String.join(",", CSV_COLUMNS.stream().map(ReportRoutes::cell).toList())).append("\r\n");
        for (Reports.Day d : r.days()) {
            List<String> row = List.of(cell(d.date().toString()), number(d.conversations()),
                    number(d.messagesIn()), number(d.messagesOut()), number(d.resolvedAi()),
                    number(d.resolvedHuman()), number(d.firstResponseSecondsMedian()),
                    number(d.resolutionSecondsMedian()), number(d.csatAverage()), number(d.csatCount()),
                    number(d.tokensIn()), number(d.tokensOut()),
                    BigDecimal.valueOf(d.costMicros(), 6).stripTrailingZeros().toPlainString());
            out.append(String.join(",", row)).append("\r\n");
        }
        return out.toString();
    }

    private static String number(long n) {
        return Long.toString(n);
    }

    /** A decimal written out in full (never {@code 1.0E-4}); an empty cell for none. */
    private static String number(Optional<Double> d) {
        return d.map(v -> BigDecimal.valueOf(v).stripTrailingZeros().toPlainString()).orElse("");
    }

    /**
     * A text cell a spreadsheet shows as text: one starting with {@code = + - @}, a tab or a carriage return would be
     * taken as a formula, so it gets a leading apostrophe; quotes, commas and line breaks are quoted.
     */
    static String cell(String value) {
        String v = value;
        if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) {
            v = "'" + v;
        }
        if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")) {
            v = "\"" + v.replace("\"", "\"\"") + "\"";
        }
        return v;
    }
}
