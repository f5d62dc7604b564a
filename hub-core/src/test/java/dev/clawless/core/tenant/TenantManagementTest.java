package dev.clawless.core.tenant;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.Ids;
import dev.clawless.core.common.Page;
import dev.clawless.core.common.PageRequest;
import dev.clawless.core.security.Actor;
import dev.clawless.core.security.AuditEntry;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.store.Database;
import dev.clawless.core.store.TestClock;
import dev.clawless.core.store.TestDatabases;
import dev.clawless.core.store.TestDatabases.Engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tenants, keys and their audit trail against a real database, on each engine the hub supports. */
class TenantManagementTest {

    private static final Actor ADMIN = Actor.admin("req-test");
    private static final Quotas FREE = new Quotas(1000, 1_000_000, 60);

    private final TestClock clock = new TestClock(Instant.parse("2026-11-01T10:00:00Z"));
    private Database database;
    private AuditLog audit;
    private TenantManagement tenants;

    private void open(Engine engine) {
        database = Database.open(TestDatabases.config(engine));
        audit = new AuditLog(database, clock);
        TenantConfig config = new TenantConfig(Map.of("free", new Plan("free", FREE),
                "pro", new Plan("pro", new Quotas(50_000, 20_000_000, 600))), "free", Duration.ofHours(24), 3);
        tenants = new TenantManagement(database, audit, config, clock, new Ids(clock));
    }

    @AfterEach
    void close() {
        if (database != null) {
            database.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void createdTenantReadsBackWithDefaultsAndIsAudited(Engine engine) {
        open(engine);
        Tenant created = tenants.create(ADMIN, new NewTenant("  Acme  ", Optional.empty(), QuotaOverrides.NONE,
                SettingsPatch.NONE));
        Tenant read = tenants.get(created.id());
        assertEquals(created, read);
        assertEquals("Acme", read.name());
        assertEquals("free", read.plan());
        assertEquals(TenantStatus.ACTIVE, read.status());
        assertEquals(TenantSettings.DEFAULT, read.settings());
        assertEquals(FREE, tenants.effectiveQuotas(read));
        assertTrue(Ids.looksLike("ten", read.id()), read.id());
        List<AuditEntry> entries = audit.list(Optional.of(read.id()), Optional.empty(), PageRequest.first(10)).data();
        assertEquals(1, entries.size());
        assertEquals("tenant.created", entries.get(0).action());
        assertEquals("admin", entries.get(0).actor());
        assertEquals(Optional.of("req-test"), entries.get(0).requestId());
        assertEquals("Acme", entries.get(0).details().get("name"));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void settingsAndQuotaOverridesRoundTrip(Engine engine) {
        open(engine);
        SettingsPatch settings = new SettingsPatch(Optional.of("You are helpful."), Optional.of("sales"),
                Optional.of(new AssistantPatch(Optional.of("openai"), Optional.of("gpt-4o-mini"), false)),
                Optional.of(List.of("https://Shop.Example", "http://localhost:3000", "https://shop.example")),
                Optional.of(ApprovalPolicy.ALWAYS));
        QuotaOverrides quotas = new QuotaOverrides(Optional.of(5L), Optional.empty(), Optional.of(-1L));
        Tenant t = tenants.create(ADMIN, new NewTenant("Acme", Optional.of("pro"), quotas, settings));
        Tenant read = tenants.get(t.id());
        assertEquals(List.of("https://shop.example", "http://localhost:3000"), read.settings().allowedOrigins());
        assertEquals("sales", read.settings().mode());
        assertEquals(Optional.of("gpt-4o-mini"), read.settings().assistant().model());
        assertEquals(ApprovalPolicy.ALWAYS, read.settings().approvalPolicy());
        assertEquals(new Quotas(5, 20_000_000, Quotas.UNLIMITED), tenants.effectiveQuotas(read));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void invalidTenantFieldsAreAllReportedTogether(Engine engine) {
        open(engine);
        SettingsPatch bad = new SettingsPatch(Optional.empty(), Optional.of("Not A Mode"),
                Optional.of(new AssistantPatch(Optional.of("skynet"), Optional.empty(), false)),
                Optional.of(List.of("https://ok.example", "javascript:alert(1)", "https://x.example/path")),
                Optional.empty());
        ClawlessException.Validation e = assertThrows(ClawlessException.Validation.class, () -> tenants.create(ADMIN,
                new NewTenant(" ", Optional.of("gold"), new QuotaOverrides(Optional.of(-5L), Optional.empty(),
                        Optional.empty()), bad)));
        Set<String> fields = new HashSet<>();
        e.errors().forEach(f -> fields.add(f.field()));
        assertEquals(Set.of("name", "plan", "quotas.messages_per_month", "settings.mode",
                "settings.assistant.provider", "settings.allowed_origins[1]", "settings.allowed_origins[2]"), fields);
        assertEquals(0, tenants.list(Optional.empty(), PageRequest.first(10)).data().size());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void updateChangesOnlyWhatIsGivenAndSuspensionIsAudited(Engine engine) {
        open(engine);
        Tenant t = tenants.create(ADMIN, new NewTenant("Acme", Optional.empty(), QuotaOverrides.NONE,
                SettingsPatch.NONE));
        clock.advance(Duration.ofMinutes(1));
        Tenant renamed = tenants.update(ADMIN, t.id(), TenantChange.bySelf(Optional.of("Acme Inc"),
                new SettingsPatch(Optional.of("Be brief."), Optional.empty(), Optional.empty(), Optional.empty(),
                        Optional.empty())));
        assertEquals("Acme Inc", renamed.name());
        assertEquals("Be brief.", renamed.settings().systemPrompt());
        assertEquals("default", renamed.settings().mode());
        assertTrue(renamed.updatedAt().isAfter(t.updatedAt()));
        tenants.update(ADMIN, t.id(), new TenantChange(Optional.empty(), Optional.empty(),
                Optional.of(TenantStatus.SUSPENDED), Optional.empty(), SettingsPatch.NONE));
        assertEquals(TenantStatus.SUSPENDED, tenants.get(t.id()).status());
        List<String> actions = audit.list(Optional.of(t.id()), Optional.empty(), PageRequest.first(10)).data()
                .stream().map(AuditEntry::action).toList();
        assertEquals(List.of("tenant.suspended", "tenant.updated", "tenant.created"), actions);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void unknownTenantIsNotFound(Engine engine) {
        open(engine);
        assertThrows(ClawlessException.NotFound.class, () -> tenants.get("ten_00000000000000000000000000"));
        assertThrows(ClawlessException.NotFound.class, () -> tenants.delete(ADMIN, "ten_00000000000000000000000000"));
        assertThrows(ClawlessException.NotFound.class, () -> tenants.issueKey(ADMIN, "ten_00000000000000000000000000",
                new NewApiKey("k", EnumSet.of(Scope.CHAT), Optional.empty()), Grantor.ADMIN));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void tenantsPageInCreationOrder(Engine engine) {
        open(engine);
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofMillis(3));
            created.add(tenants.create(ADMIN, new NewTenant("t" + i, Optional.empty(), QuotaOverrides.NONE,
                    SettingsPatch.NONE)).id());
        }
        List<String> seen = new ArrayList<>();
        PageRequest page = PageRequest.first(2);
        while (true) {
            Page<Tenant> p = tenants.list(Optional.empty(), page);
            p.data().forEach(t -> seen.add(t.id()));
            if (p.nextCursor().isEmpty()) {
                break;
            }
            page = new PageRequest(2, p.nextCursor());
        }
        assertEquals(created, seen);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void issuedKeyAuthenticatesAndOnlyItsHashIsStored(Engine engine) {
        open(engine);
        Tenant t = tenant();
        IssuedKey issued = tenants.issueKey(ADMIN, t.id(), new NewApiKey("backend",
                EnumSet.of(Scope.CHAT, Scope.TENANT_ADMIN), Optional.empty()), Grantor.ADMIN);
        assertTrue(issued.secret().startsWith("ck_live_" + issued.key().id().substring(4) + "_"), issued.secret());
        TenantPrincipal p = tenants.authenticate(issued.secret());
        assertEquals(t.id(), p.tenantId());
        assertEquals(EnumSet.of(Scope.CHAT, Scope.TENANT_ADMIN), p.scopes());
        String secretPart = issued.secret().substring(issued.secret().lastIndexOf('_') + 1);
        List<String> stored = database.execute().query("SELECT secret_hash, secret_hint FROM api_keys")
                .map(r -> r.column(1).get(String.class) + "|" + r.column(2).get(String.class)).toList();
        assertEquals(1, stored.size());
        assertFalse(stored.get(0).contains(secretPart));
        assertTrue(stored.get(0).startsWith(dev.clawless.core.security.Secrets.sha256Hex(secretPart)));
        String auditText = audit.list(Optional.empty(), Optional.empty(), PageRequest.first(10)).data().toString();
        assertFalse(auditText.contains(secretPart), auditText);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void wrongMalformedAndUnknownKeysAreUnauthorized(Engine engine) {
        open(engine);
        IssuedKey issued = tenants.issueKey(ADMIN, tenant().id(), new NewApiKey("k", EnumSet.of(Scope.CHAT),
                Optional.empty()), Grantor.ADMIN);
        String s = issued.secret();
        String wrongSecret = s.substring(0, s.length() - 1) + (s.endsWith("A") ? "B" : "A");
        String unknownId = "ck_live_00000000000000000000000000_" + s.substring(s.lastIndexOf('_') + 1);
        for (String bad : List.of(wrongSecret, unknownId, "", "ck_live_", "ck_live_x_y", s + "_extra",
                "Bearer " + s, s.toUpperCase(), "ck_test_" + s.substring(8))) {
            assertThrows(ClawlessException.Unauthorized.class, () -> tenants.authenticate(bad), bad);
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void expiredAndRevokedKeysAreUnauthorizedAndSuspendedTenantIsForbidden(Engine engine) {
        open(engine);
        Tenant t = tenant();
        IssuedKey expiring = tenants.issueKey(ADMIN, t.id(), new NewApiKey("short", EnumSet.of(Scope.CHAT),
                Optional.of(clock.instant().plus(Duration.ofHours(1)))), Grantor.ADMIN);
        IssuedKey revoked = tenants.issueKey(ADMIN, t.id(), new NewApiKey("gone", EnumSet.of(Scope.CHAT),
                Optional.empty()), Grantor.ADMIN);
        IssuedKey good = tenants.issueKey(ADMIN, t.id(), new NewApiKey("good", EnumSet.of(Scope.CHAT),
                Optional.empty()), Grantor.ADMIN);
        tenants.authenticate(expiring.secret());
        clock.advance(Duration.ofHours(1));
        assertEquals("the API key has expired",
                assertThrows(ClawlessException.Unauthorized.class, () -> tenants.authenticate(expiring.secret()))
                        .detail());
        tenants.revokeKey(ADMIN, t.id(), revoked.key().id(), Grantor.ADMIN);
        tenants.revokeKey(ADMIN, t.id(), revoked.key().id(), Grantor.ADMIN);
        assertEquals("the API key has been revoked",
                assertThrows(ClawlessException.Unauthorized.class, () -> tenants.authenticate(revoked.secret()))
                        .detail());
        assertEquals("revoked", tenants.getKey(t.id(), revoked.key().id()).status(clock.instant()));
        tenants.update(ADMIN, t.id(), new TenantChange(Optional.empty(), Optional.empty(),
                Optional.of(TenantStatus.SUSPENDED), Optional.empty(), SettingsPatch.NONE));
        ClawlessException.Forbidden f = assertThrows(ClawlessException.Forbidden.class,
                () -> tenants.authenticate(good.secret()));
        assertEquals("tenant-suspended", f.type());
        assertEquals(1, audit.list(Optional.of(t.id()), Optional.of("api_key.revoked"), PageRequest.first(10))
                .data().size());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void rotationKeepsTheOldSecretForTheGracePeriodOnly(Engine engine) {
        open(engine);
        Tenant t = tenant();
        IssuedKey original = tenants.issueKey(ADMIN, t.id(), new NewApiKey("k", EnumSet.of(Scope.CHAT),
                Optional.empty()), Grantor.ADMIN);
        IssuedKey rotated = tenants.rotateKey(ADMIN, t.id(), original.key().id(),
                Optional.of(Duration.ofMinutes(10)), Grantor.ADMIN);
        assertEquals(original.key().id(), rotated.key().id());
        assertNotEquals(original.secret(), rotated.secret());
        tenants.authenticate(original.secret());
        tenants.authenticate(rotated.secret());
        clock.advance(Duration.ofMinutes(10));
        assertThrows(ClawlessException.Unauthorized.class, () -> tenants.authenticate(original.secret()));
        tenants.authenticate(rotated.secret());
        IssuedKey again = tenants.rotateKey(ADMIN, t.id(), original.key().id(), Optional.of(Duration.ZERO),
                Grantor.ADMIN);
        assertThrows(ClawlessException.Unauthorized.class, () -> tenants.authenticate(rotated.secret()));
        assertThrows(ClawlessException.Unauthorized.class, () -> tenants.authenticate(original.secret()));
        tenants.authenticate(again.secret());
        assertThrows(ClawlessException.Validation.class, () -> tenants.rotateKey(ADMIN, t.id(), original.key().id(),
                Optional.of(Duration.ofDays(31)), Grantor.ADMIN));
        tenants.revokeKey(ADMIN, t.id(), original.key().id(), Grantor.ADMIN);
        assertThrows(ClawlessException.Conflict.class, () -> tenants.rotateKey(ADMIN, t.id(), original.key().id(),
                Optional.empty(), Grantor.ADMIN));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void anotherTenantsKeyIsNotFound(Engine engine) {
        open(engine);
        Tenant a = tenant();
        Tenant b = tenant();
        IssuedKey ofA = tenants.issueKey(ADMIN, a.id(), new NewApiKey("k", EnumSet.of(Scope.CHAT), Optional.empty()),
                Grantor.ADMIN);
        assertThrows(ClawlessException.NotFound.class, () -> tenants.getKey(b.id(), ofA.key().id()));
        assertThrows(ClawlessException.NotFound.class, () -> tenants.revokeKey(ADMIN, b.id(), ofA.key().id(),
                Grantor.ADMIN));
        assertThrows(ClawlessException.NotFound.class, () -> tenants.rotateKey(ADMIN, b.id(), ofA.key().id(),
                Optional.empty(), Grantor.ADMIN));
        assertEquals(0, tenants.listKeys(b.id(), PageRequest.first(10)).data().size());
        tenants.authenticate(ofA.secret());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void keysCannotGrantMoreThanTheyHaveNorExceedTheLimit(Engine engine) {
        open(engine);
        Tenant t = tenant();
        ClawlessException.Forbidden f = assertThrows(ClawlessException.Forbidden.class, () -> tenants.issueKey(
                Actor.apiKey("key_x", "r"), t.id(), new NewApiKey("k", EnumSet.of(Scope.CHAT, Scope.KEYS_ADMIN),
                        Optional.empty()), new Grantor(EnumSet.of(Scope.KEYS_ADMIN), Optional.empty())));
        assertEquals("scope-escalation", f.type());
        for (int i = 0; i < 3; i++) {
            tenants.issueKey(ADMIN, t.id(), new NewApiKey("k" + i, EnumSet.of(Scope.CHAT), Optional.empty()),
                    Grantor.ADMIN);
        }
        assertThrows(ClawlessException.Conflict.class, () -> tenants.issueKey(ADMIN, t.id(),
                new NewApiKey("one too many", EnumSet.of(Scope.CHAT), Optional.empty()), Grantor.ADMIN));
        assertThrows(ClawlessException.Validation.class, () -> tenants.issueKey(ADMIN, t.id(),
                new NewApiKey("past", EnumSet.of(Scope.CHAT), Optional.of(clock.instant().minusSeconds(1))),
                Grantor.ADMIN));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aWeakerKeyCannotRotateOrRevokeAStrongerOne(Engine engine) {
        open(engine);
        Tenant t = tenant();
        IssuedKey strong = tenants.issueKey(ADMIN, t.id(), new NewApiKey("strong",
                EnumSet.of(Scope.TENANT_ADMIN, Scope.KEYS_ADMIN), Optional.empty()), Grantor.ADMIN);
        IssuedKey weak = tenants.issueKey(ADMIN, t.id(), new NewApiKey("weak", EnumSet.of(Scope.KEYS_ADMIN),
                Optional.empty()), Grantor.ADMIN);
        Grantor weakGrantor = Grantor.of(tenants.authenticate(weak.secret()));
        Actor actor = Actor.apiKey(weak.key().id(), "r");
        assertEquals("scope-escalation", assertThrows(ClawlessException.Forbidden.class, () -> tenants.rotateKey(
                actor, t.id(), strong.key().id(), Optional.of(Duration.ZERO), weakGrantor)).type());
        assertEquals("scope-escalation", assertThrows(ClawlessException.Forbidden.class, () -> tenants.revokeKey(
                actor, t.id(), strong.key().id(), weakGrantor)).type());
        tenants.authenticate(strong.secret());
        Grantor strongGrantor = Grantor.of(tenants.authenticate(strong.secret()));
        tenants.rotateKey(Actor.apiKey(strong.key().id(), "r"), t.id(), weak.key().id(), Optional.empty(),
                strongGrantor);
        tenants.revokeKey(actor, t.id(), weak.key().id(), weakGrantor);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void anExpiringKeyCannotMintALongerLivedOne(Engine engine) {
        open(engine);
        Tenant t = tenant();
        Instant until = clock.instant().plus(Duration.ofDays(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        IssuedKey expiring = tenants.issueKey(ADMIN, t.id(), new NewApiKey("day", EnumSet.of(Scope.KEYS_ADMIN),
                Optional.of(until)), Grantor.ADMIN);
        Grantor grantor = Grantor.of(tenants.authenticate(expiring.secret()));
        Actor actor = Actor.apiKey(expiring.key().id(), "r");
        IssuedKey child = tenants.issueKey(actor, t.id(), new NewApiKey("child", EnumSet.of(Scope.KEYS_ADMIN),
                Optional.empty()), grantor);
        assertEquals(Optional.of(until), child.key().expiresAt(), "inherits the creator's expiry");
        ClawlessException.Validation v = assertThrows(ClawlessException.Validation.class, () -> tenants.issueKey(actor,
                t.id(), new NewApiKey("later", EnumSet.of(Scope.KEYS_ADMIN), Optional.of(until.plusSeconds(1))),
                grantor));
        assertEquals("expires_at", v.errors().get(0).field());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aPrincipalKnowsWhenItCameThroughThePreviousSecret(Engine engine) {
        open(engine);
        Tenant t = tenant();
        IssuedKey original = tenants.issueKey(ADMIN, t.id(), new NewApiKey("k", EnumSet.of(Scope.CHAT),
                Optional.empty()), Grantor.ADMIN);
        assertFalse(tenants.authenticate(original.secret()).viaPreviousSecret());
        IssuedKey rotated = tenants.rotateKey(ADMIN, t.id(), original.key().id(), Optional.empty(), Grantor.ADMIN);
        assertTrue(tenants.authenticate(original.secret()).viaPreviousSecret());
        assertFalse(tenants.authenticate(rotated.secret()).viaPreviousSecret());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void deletingATenantRemovesItsKeysButKeepsItsAuditTrail(Engine engine) {
        open(engine);
        Tenant t = tenant();
        IssuedKey k = tenants.issueKey(ADMIN, t.id(), new NewApiKey("k", EnumSet.of(Scope.CHAT), Optional.empty()),
                Grantor.ADMIN);
        tenants.delete(ADMIN, t.id());
        assertThrows(ClawlessException.NotFound.class, () -> tenants.get(t.id()));
        assertThrows(ClawlessException.Unauthorized.class, () -> tenants.authenticate(k.secret()));
        List<String> actions = audit.list(Optional.of(t.id()), Optional.empty(), PageRequest.first(10)).data()
                .stream().map(AuditEntry::action).toList();
        assertEquals(List.of("tenant.deleted", "api_key.created", "tenant.created"), actions);
    }

    private Tenant tenant() {
        clock.advance(Duration.ofMillis(1));
        return tenants.create(ADMIN, new NewTenant("Acme", Optional.empty(), QuotaOverrides.NONE, SettingsPatch.NONE));
    }
}
