package dev.clawless.core.sales;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.clawless.core.channel.ChannelManagement;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.sales.internal.LeadStore;
import dev.clawless.core.security.Actor;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.store.Database;

/**
 * Each tenant's lead form: read, and replaced after checks that need the tenant (its connections). Forms are cached
 * per node for {@link #TTL} (every turn asks for its tenant's), evicted when this node saves one; another node's
 * change is seen within {@code TTL}. Thread-safe.
 */
public final class LeadForms {

    static final java.time.Duration TTL = java.time.Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Cached(LeadForm form, long until) {
    }

    private final java.util.concurrent.ConcurrentHashMap<String, Cached> cache =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final Database database;
    private final LeadStore store = new LeadStore();
    private final ChannelManagement channels;
    private final Set<String> builtInTools;
    private final AuditLog audit;
    private final Clock clock;

    /** @param builtInTools the hub's own tools, which a lead form may not name as its CRM tool */
    public LeadForms(Database database, ChannelManagement channels, Set<String> builtInTools, AuditLog audit,
                     Clock clock) {
        this.database = database;
        this.channels = channels;
        this.builtInTools = Set.copyOf(builtInTools);
        this.audit = audit;
        this.clock = clock;
    }

    /** The tenant's lead form ({@link LeadForm#NONE} when it has none). */
    public LeadForm form(String tenantId) {
        long now = System.nanoTime();
        Cached c = cache.get(tenantId);
        if (c != null && now - c.until() < 0) {
            return c.form();
        }
        LeadForm form = store.form(database.execute(), tenantId).map(LeadForms::parseStored).orElse(LeadForm.NONE);
        cache.put(tenantId, new Cached(form, now + TTL.toNanos()));
        return form;
    }

    /**
     * Replaces the tenant's lead form. Audited ({@code lead_form.changed}).
     *
     * @throws ClawlessException.Validation naming each wrong setting, among them a WhatsApp connection that is not
     *                                      one of the tenant's WhatsApp connections and a CRM tool that is the hub's
     */
    public LeadForm save(Actor actor, String tenantId, LeadForm form) {
        check(tenantId, form).ifPresent(e -> {
            throw e;
        });
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        database.inTransaction(tx -> {
            store.saveForm(tx, tenantId, form.toJson().toString(), now);
            database.afterCommit(() -> cache.remove(tenantId));
            audit.record(tx, actor, Optional.of(tenantId), "lead_form.changed", Optional.of(tenantId),
                    Map.of("enabled", Boolean.toString(form.enabled()), "fields", Integer.toString(form.fields().size())));
            return null;
        });
        return form;
    }

    /** What is wrong with {@code form} for this tenant, if anything. */
    public Optional<ClawlessException.Validation> check(String tenantId, LeadForm form) {
        if (form.whatsapp().isPresent()) {
            String id = form.whatsapp().get().connectionId();
            boolean isWhatsApp = channels.list(tenantId).stream()
                    .anyMatch(c -> c.id().equals(id) && c.type().equals("whatsapp"));
            if (!isWhatsApp) {
                return Optional.of(ClawlessException.Validation.of("whatsapp.connection_id",
                        "must be one of this tenant's WhatsApp connections"));
            }
        }
        if (form.crm().isPresent() && builtInTools.contains(form.crm().get().tool())) {
            return Optional.of(ClawlessException.Validation.of("crm.tool",
                    "must be a tool of an installed CRM plugin, not one of the hub's own"));
        }
        return Optional.empty();
    }

    private static LeadForm parseStored(String json) {
        try {
            return LeadForm.parse(JSON.readTree(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
