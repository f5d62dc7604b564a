package dev.clawless.core.events;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.ClawlessException.FieldError;
import dev.clawless.core.common.Ids;
import dev.clawless.core.conversation.EventSink;
import dev.clawless.core.jobs.Job;
import dev.clawless.core.jobs.JobHandler;
import dev.clawless.core.jobs.JobQueue;
import dev.clawless.core.jobs.NewJob;
import dev.clawless.core.jobs.RetryLater;
import dev.clawless.core.security.SecretVault;
import dev.clawless.core.security.Secrets;
import dev.clawless.core.store.Database;
import dev.clawless.core.security.NetworkGuard;

/**
 * Tenants' webhooks: subscriptions, fan-out of events (in the caller's transaction, so an event and its deliveries
 * commit together), and delivery as {@code webhook_delivery} jobs. Each request carries
 * {@code X-Clawless-Signature: t=<unix>,v1=<hex hmac-sha256(secret, t + "." + body)>}, {@code X-Clawless-Event} and
 * {@code X-Clawless-Delivery}; 2xx delivers, 410 disables the webhook, 429 waits as asked, anything else is retried
 * with backoff until the job's last attempt marks the delivery failed. Thread-safe.
 */
public final class Webhooks implements JobHandler, EventSink {

    public static final String JOB_KIND = "webhook_delivery";
    public static final Set<String> EVENT_TYPES = Set.of("conversation.created", "message.created",
            "conversation.status_changed", "intent.detected", "approval.requested", "message.status_changed",
            "delivery.failed", "delivery.uncertain", "contact.opted_out", "contact.opted_in", "lead.qualified",
            "lead.pushed", "lead.push_failed", "*");
    private static final int MAX_WEBHOOKS = 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private final Database database;
    private final JobQueue jobs;
    private final NetworkGuard guard;
    private final SecretVault vault;
    private final Clock clock;
    private final Ids ids;

    public Webhooks(Database database, JobQueue jobs, NetworkGuard guard, SecretVault vault, Clock clock, Ids ids) {
        this.database = database;
        this.jobs = jobs;
        this.guard = guard;
        this.vault = vault;
        this.clock = clock;
        this.ids = ids;
    }

    /** A subscription and its signing secret, shown once. */
    public record Created(Webhook webhook, String secret) {
        @Override
        public String toString() {
            return "Created[" + webhook + ", secret=****]";
        }
    }

    public Created create(String tenantId, String url, List<String> events) {
        List<FieldError> errors = new ArrayList<>();
        URI uri = null;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError("url", "is not a URL"));
        }
        if (uri != null && (uri.getScheme() == null || !(uri.getScheme().equals("https")
                || uri.getScheme().equals("http")) || uri.getHost() == null || uri.getRawUserInfo() != null)) {
            errors.add(new FieldError("url", "must be an http(s) URL with a host and no user info"));
        }
        if (url.length() > 2000) {
            errors.add(new FieldError("url", "must be at most 2000 characters"));
        }
        if (events.isEmpty()) {
            errors.add(new FieldError("events", "must name at least one event type"));
        }
        for (int i = 0; i < events.size(); i++) {
            if (!EVENT_TYPES.contains(events.get(i))) {
                errors.add(new FieldError("events[" + i + "]", "must be one of " + EVENT_TYPES.stream().sorted().toList()));
            }
        }
        if (!errors.isEmpty()) {
            throw ClawlessException.Validation.of(errors);
        }
        String secret = "whsec_" + Secrets.randomBase62(32);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Webhook webhook = new Webhook(ids.next("wh"), tenantId, url, events, true, now);
        database.inTransaction(tx -> {
            long count = tx.createGet("SELECT COUNT(*) FROM webhooks WHERE tenant_id = ?").params(tenantId).execute()
                    .map(r -> ((Number) r.column(1).get(Object.class)).longValue()).orElse(0L);
            if (count >= MAX_WEBHOOKS) {
                throw new ClawlessException.Conflict("a tenant may have at most " + MAX_WEBHOOKS + " webhooks");
            }
            tx.createInsert("INSERT INTO webhooks (id, tenant_id, url, events, secret, active, created_at)"
                            + " VALUES (?, ?, ?, ?, ?, TRUE, ?)")
                    .params(webhook.id(), tenantId, url, String.join(",", events),
                            vault.encrypt(secret, "webhook:" + webhook.id()), Database.timestamp(now))
                    .execute();
            return null;
        });
        return new Created(webhook, secret);
    }

    public List<Webhook> list(String tenantId) {
        return database.execute().createQuery("SELECT id, tenant_id, url, events, active, created_at FROM webhooks"
                        + " WHERE tenant_id = ? ORDER BY id")
                .params(tenantId).execute().map(Webhooks::webhook).toList();
    }

    public void delete(String tenantId, String id) {
        if (database.execute().createDelete("DELETE FROM webhooks WHERE tenant_id = ? AND id = ?").params(tenantId, id)
                .execute() == 0) {
            throw new ClawlessException.NotFound("no webhook " + id);
        }
    }

    public List<WebhookDelivery> deliveries(String tenantId, String webhookId, int limit) {
        if (database.execute().createGet("SELECT id FROM webhooks WHERE tenant_id = ? AND id = ?")
                .params(tenantId, webhookId).execute().isEmpty()) {
            throw new ClawlessException.NotFound("no webhook " + webhookId);
        }
        return database.execute().createQuery("SELECT id, webhook_id, event_id, event_type, status, attempts,"
                        + " last_status, last_error, created_at, delivered_at FROM webhook_deliveries"
                        + " WHERE tenant_id = ? AND webhook_id = ? ORDER BY id DESC LIMIT " + limit)
                .params(tenantId, webhookId).execute().map(Webhooks::delivery).toList();
    }

    /**
     * Attempts a delivery again: a delivered or failed one becomes {@code pending} and gets a new delivery job (with
     * attempts of its own, after the webhook's earlier deliveries); a pending one is left to the job it has (one is
     * queued again only when none is). The delivery keeps its event, id and attempt count.
     *
     * @return the delivery as it is now ({@code pending})
     * @throws ClawlessException.NotFound for a webhook or delivery that is not the tenant's
     * @throws ClawlessException.Conflict when the webhook is disabled (a receiver answered 410 Gone)
     */
    public WebhookDelivery resend(String tenantId, String webhookId, String deliveryId) {
        Optional<Boolean> active = database.execute().createGet("SELECT active FROM webhooks WHERE tenant_id = ?"
                        + " AND id = ?").params(tenantId, webhookId).execute()
                .map(r -> Boolean.TRUE.equals(r.column(1).get(Boolean.class)));
        if (active.isEmpty()) {
            throw new ClawlessException.NotFound("no webhook " + webhookId);
        }
        WebhookDelivery d = delivery(tenantId, webhookId, deliveryId);
        if (!active.get()) {
            throw new ClawlessException.Conflict("the webhook " + webhookId + " is disabled (its receiver answered"
                    + " 410 Gone); create it again to deliver to it");
        }
        String payload = JSON.createObjectNode().put("delivery_id", deliveryId).toString();
        database.inTransaction(tx -> {
            boolean reopened = tx.createUpdate("UPDATE webhook_deliveries SET status = 'pending', delivered_at = NULL"
                            + " WHERE id = ? AND tenant_id = ? AND status IN ('delivered', 'failed')")
                    .params(deliveryId, tenantId).execute() == 1;
            boolean queued = tx.createGet("SELECT id FROM jobs WHERE kind = ? AND queue_key = ? AND payload = ?"
                            + " AND status IN ('queued', 'running')").params(JOB_KIND, webhookId, payload).execute()
                    .isPresent();
            if (reopened || !queued) {
                jobs.enqueue(tx, NewJob.of(JOB_KIND, payload).withTenant(tenantId).inQueue(webhookId));
            }
            return null;
        });
        return delivery(tenantId, webhookId, deliveryId);
    }

    private WebhookDelivery delivery(String tenantId, String webhookId, String deliveryId) {
        return database.execute().createGet("SELECT id, webhook_id, event_id, event_type, status, attempts,"
                        + " last_status, last_error, created_at, delivered_at FROM webhook_deliveries"
                        + " WHERE tenant_id = ? AND webhook_id = ? AND id = ?")
                .params(tenantId, webhookId, deliveryId).execute().map(Webhooks::delivery)
                .orElseThrow(() -> new ClawlessException.NotFound("no delivery " + deliveryId + " of webhook "
                        + webhookId));
    }

    /**
     * Fans an event out to the tenant's active webhooks that subscribe to its type: one delivery row and one job
     * each, in the caller's transaction.
     */
    @Override
    public void published(DbExecute tx, String tenantId, String type, String data, Instant at) {
        List<String[]> targets = tx.createQuery("SELECT id, events FROM webhooks WHERE tenant_id = ? AND active = TRUE")
                .params(tenantId).execute()
                .map(r -> new String[] {r.column(1).get(String.class), r.column(2).get(String.class)})
                .filter(w -> Arrays.asList(w[1].split(",")).contains(type) || Arrays.asList(w[1].split(",")).contains("*"))
                .toList();
        if (targets.isEmpty()) {
            return;
        }
        String eventId = ids.next("evt");
        ObjectNode payload = JSON.createObjectNode().put("id", eventId).put("type", type)
                .put("created_at", at.toString()).put("tenant_id", tenantId);
        try {
            payload.set("data", JSON.readTree(data));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            payload.put("data", data);
        }
        for (String[] w : targets) {
            String deliveryId = ids.next("whd");
            tx.createInsert("INSERT INTO webhook_deliveries (id, tenant_id, webhook_id, event_id, event_type, payload,"
                            + " status, attempts, created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?)")
                    .params(deliveryId, tenantId, w[0], eventId, type, payload.toString(), Database.timestamp(at))
                    .execute();
            jobs.enqueue(tx, NewJob.of(JOB_KIND, JSON.createObjectNode().put("delivery_id", deliveryId).toString())
                    .withTenant(tenantId).inQueue(w[0]).once(JOB_KIND + ":" + deliveryId));
        }
    }

    private volatile dev.clawless.core.common.Instruments instruments = dev.clawless.core.common.Instruments.NONE;

    /** Where delivery attempts are counted. */
    public void instruments(dev.clawless.core.common.Instruments instruments) {
        this.instruments = instruments;
    }

    /** Delivers one event to one webhook (a {@code webhook_delivery} job). */
    @Override
    public void handle(Job job) throws Exception {
        String deliveryId = JSON.readTree(job.payload()).path("delivery_id").asText();
        Optional<String[]> row = database.execute().createGet("SELECT d.payload, d.event_type, d.status, w.url, w.secret,"
                        + " w.active, w.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = ?")
                .params(deliveryId).execute()
                .map(r -> new String[] {r.column(1).get(String.class), r.column(2).get(String.class),
                        r.column(3).get(String.class), r.column(4).get(String.class), r.column(5).get(String.class),
                        String.valueOf(r.column(6).get(Object.class)), r.column(7).get(String.class)});
        if (row.isEmpty() || !row.get()[2].equals("pending") || !Boolean.parseBoolean(row.get()[5])) {
            return;
        }
        String body = row.get()[0];
        URI url = URI.create(row.get()[3]);
        boolean last = job.attempts() >= job.maxAttempts();
        Optional<String> refusal = guard.refusal(url);
        if (refusal.isPresent()) {
            record(deliveryId, "failed", Optional.empty(), Optional.of("refused: " + refusal.get()));
            instruments.meters().webhookDelivery("refused");
            return;
        }
        long t = clock.instant().getEpochSecond();
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json")
                .header("User-Agent", "Clawless-Webhooks/1")
                .header("X-Clawless-Event", row.get()[1])
                .header("X-Clawless-Delivery", deliveryId)
                .header("X-Clawless-Signature", "t=" + t + ",v1=" + sign(secret(row.get()[6], row.get()[4]), t, body))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
        HttpResponse<Void> response;
        try {
            response = HTTP.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (java.io.IOException e) {
            record(deliveryId, last ? "failed" : "pending", Optional.empty(), Optional.of("no answer: "
                    + e.getClass().getSimpleName()));
            instruments.meters().webhookDelivery("no_answer");
            throw e;
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            record(deliveryId, "delivered", Optional.of(status), Optional.empty());
            instruments.meters().webhookDelivery("delivered");
            return;
        }
        instruments.meters().webhookDelivery(status == 410 ? "gone" : "failed");
        if (status == 410) {
            record(deliveryId, "failed", Optional.of(status), Optional.of("410 Gone: the webhook was disabled"));
            database.execute().createUpdate("UPDATE webhooks SET active = FALSE WHERE id = ?").params(row.get()[6])
                    .execute();
            return;
        }
        record(deliveryId, last ? "failed" : "pending", Optional.of(status), Optional.of("HTTP " + status));
        if (status == 429) {
            long wait = response.headers().firstValue("Retry-After").map(Webhooks::seconds).orElse(60L);
            throw new RetryLater("receiver answered 429", Duration.ofSeconds(Math.max(1, wait)));
        }
        throw new IllegalStateException("receiver answered HTTP " + status);
    }

    /** The signing secret: sealed under the master key, or as stored before the vault existed. */
    private String secret(String webhookId, String stored) {
        return SecretVault.isSealed(stored) ? vault.decrypt(stored, "webhook:" + webhookId) : stored;
    }

    private static long seconds(String retryAfter) {
        try {
            return Long.parseLong(retryAfter.strip());
        } catch (NumberFormatException e) {
            return 60;
        }
    }

    private void record(String deliveryId, String status, Optional<Integer> httpStatus, Optional<String> error) {
        database.execute().createUpdate("UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1,"
                        + " last_status = CAST(? AS INTEGER), last_error = ?,"
                        + " delivered_at = CAST(? AS TIMESTAMP WITH TIME ZONE) WHERE id = ?")
                .params(status, httpStatus.orElse(null), error.orElse(null),
                        status.equals("delivered") ? Database.timestamp(clock.instant().truncatedTo(ChronoUnit.MICROS))
                                : null, deliveryId)
                .execute();
    }

    /** Hex HMAC-SHA256 of {@code t + "." + body} under the webhook's secret. */
    public static String sign(String secret, long t, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }

    private static Webhook webhook(DbRow r) {
        return new Webhook(r.column(1).get(String.class), r.column(2).get(String.class), r.column(3).get(String.class),
                List.of(r.column(4).get(String.class).split(",")), Boolean.TRUE.equals(r.column(5).get(Boolean.class)),
                Database.instant(r.column(6)).orElseThrow());
    }

    private static WebhookDelivery delivery(DbRow r) {
        return new WebhookDelivery(r.column(1).get(String.class), r.column(2).get(String.class),
                r.column(3).get(String.class), r.column(4).get(String.class), r.column(5).get(String.class),
                ((Number) r.column(6).get(Object.class)).intValue(),
                Database.optionalLong(r.column(7)).map(Long::intValue), Database.optionalString(r.column(8)),
                Database.instant(r.column(9)).orElseThrow(), Database.instant(r.column(10)));
    }

}
