package dev.clawless.core.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.Ids;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.security.SecretVault;
import dev.clawless.core.store.Database;
import dev.clawless.core.store.TestClock;
import dev.clawless.core.store.TestDatabases;
import dev.clawless.core.usage.InMemoryRateLimiter;

/** {@code clawless create-admin}: a new platform admin, or the way back in for an account that lost its password. */
class PlatformAdminsTest {

    private static final String PASSWORD = "a long enough password";
    private TestClock clock;
    private Database database;
    private Accounts accounts;
    private PlatformAdmins admins;

    @BeforeEach
    void setUp() {
        clock = new TestClock(Instant.parse("2026-12-06T10:00:00Z"));
        database = Database.open(TestDatabases.h2());
        AuditLog audit = new AuditLog(database, clock);
        accounts = new Accounts(database, audit, new SecretVault(SecretVault.newKey()), new InMemoryRateLimiter(),
                Mailer.NONE, AccountSettings.DEFAULT, () -> "http://hub/console", clock, new Ids(clock));
        admins = new PlatformAdmins(database, audit, clock, new Ids(clock));
    }

    @AfterEach
    void tearDown() {
        database.close();
    }

    private static Accounts.Client client() {
        return new Accounts.Client("192.0.2.1", Optional.of("test"), "req_test");
    }

    private long audited(String action) {
        return database.execute().createGet("SELECT COUNT(*) FROM audit_log WHERE action = ? AND actor = 'system'")
                .params(action).execute().map(r -> ((Number) r.column(1).get(Object.class)).longValue()).orElse(0L);
    }

    @Test
    void aNewAddressBecomesAPlatformAdminWhoCanSignIn() {
        assertTrue(accounts.setupNeeded());
        PlatformAdmins.Outcome made = admins.createOrReset(" Ops@Example.com ", "Ops", PASSWORD);
        assertTrue(made.created());
        assertEquals("ops@example.com", made.email());
        assertFalse(accounts.setupNeeded(), "the first-admin link is no longer needed");
        SignedIn in = accounts.login("ops@example.com", PASSWORD, Optional.empty(), client());
        assertTrue(in.user().platformAdmin());
        assertEquals(1, audited("account.created"));
    }

    @Test
    void anExistingAccountGetsTheNewPasswordIsUnlockedAndSignedOut() {
        SignedIn first = accounts.setup(accounts.issueSetupLink().orElseThrow().token(), "root@example.com", "Root",
                PASSWORD, Optional.empty(), client());
        // locked out by failed sign-ins
        for (int i = 0; i < AccountSettings.DEFAULT.maxFailedLogins(); i++) {
            assertThrows(ClawlessException.class, () -> accounts.login("root@example.com", "wrong password!",
                    Optional.empty(), client()));
        }
        assertThrows(ClawlessException.TooManyRequests.class, () -> accounts.login("root@example.com", PASSWORD,
                Optional.empty(), new Accounts.Client("198.51.100.7", Optional.empty(), "r")));

        PlatformAdmins.Outcome reset = admins.createOrReset("root@example.com", "Ignored", "a brand new password");
        assertFalse(reset.created());
        assertEquals(first.user().id(), reset.userId());
        assertTrue(accounts.authenticate(first.cookie()).isEmpty(), "the old session is revoked");
        SignedIn again = accounts.login("root@example.com", "a brand new password", Optional.empty(),
                new Accounts.Client("198.51.100.8", Optional.empty(), "r"));
        assertEquals("Root", again.user().displayName(), "the name is kept");
        assertEquals(1, audited("account.platform_admin"));
    }

    @Test
    void whatTheConsoleRefusesIsRefusedHereToo() {
        ClawlessException.Validation refused = assertThrows(ClawlessException.Validation.class,
                () -> admins.createOrReset("not an address", " ", "short"));
        assertEquals(3, refused.errors().size(), refused.errors().toString());
        assertTrue(accounts.setupNeeded(), "nothing was created");
    }
}
