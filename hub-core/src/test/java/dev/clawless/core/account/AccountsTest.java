package dev.clawless.core.account;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.clawless.core.account.internal.TotpCodes;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.Ids;
import dev.clawless.core.security.Actor;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.security.SecretVault;
import dev.clawless.core.store.Database;
import dev.clawless.core.store.TestClock;
import dev.clawless.core.store.TestDatabases;
import dev.clawless.core.store.TestTenants;
import dev.clawless.core.usage.InMemoryRateLimiter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Accounts with a clock moved by hand: every expiry is exact. */
class AccountsTest {

    private static final String PASSWORD = "a long enough password";
    private TestClock clock;
    private Database database;
    private Accounts accounts;
    private Memberships memberships;
    private String tenant;

    @BeforeEach
    void setUp() {
        clock = new TestClock(Instant.parse("2026-12-01T10:00:00Z"));
        database = Database.open(TestDatabases.h2());
        accounts = new Accounts(database, new AuditLog(database, clock), new SecretVault(SecretVault.newKey()),
                new InMemoryRateLimiter(), Mailer.NONE, AccountSettings.DEFAULT, () -> "http://hub/console", clock,
                new Ids(clock));
        memberships = new Memberships(accounts);
        tenant = TestTenants.create(database, clock, "Acme", new dev.clawless.core.tenant.Quotas(-1, -1, -1));
    }

    private static Accounts.Client client() {
        return client("192.0.2.1");
    }

    private static Accounts.Client client(String ip) {
        return new Accounts.Client(ip, Optional.of("test"), "req_test");
    }

    private SignedIn admin() {
        return accounts.setup(accounts.issueSetupLink().orElseThrow().token(), "root@example.com", "Root", PASSWORD,
                Optional.empty(), client());
    }

    @Test
    void passwordsAreStoredAsArgon2idHashes() {
        SignedIn a = admin();
        String stored = database.execute().createGet("SELECT password_hash FROM users WHERE id = ?")
                .params(a.user().id()).execute().map(r -> r.column(1).get(String.class)).orElseThrow();
        assertTrue(stored.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), stored);
        assertTrue(!stored.contains(PASSWORD));
    }

    @Test
    void invitationsExpire() {
        SignedIn a = admin();
        Memberships.Invited invited = memberships.invite(new Actor(a.user().id(), "r"), tenant, "new@example.com",
                Role.AGENT);
        clock.advance(AccountSettings.DEFAULT.invitationLifetime().plusSeconds(1));
        assertThrows(ClawlessException.Gone.class, () -> memberships.invitation(invited.link().token()));
        assertThrows(ClawlessException.Gone.class, () -> memberships.acceptAsNew(invited.link().token(),
                "Late", PASSWORD, Optional.empty(), client()));
    }

    @Test
    void anInvitationForAnAddressWithAnAccountIsAcceptedOnlyBySigningInAsThatAccount() {
        SignedIn a = admin();
        String other = TestTenants.create(database, clock, "Other", new dev.clawless.core.tenant.Quotas(-1, -1, -1));
        Memberships.Invited first = memberships.invite(new Actor(a.user().id(), "r"), tenant, "kim@example.com",
                Role.AGENT);
        SignedIn kim = memberships.acceptAsNew(first.link().token(), "Kim", PASSWORD, Optional.empty(), client());
        Memberships.Invited second = memberships.invite(new Actor(a.user().id(), "r"), other, "kim@example.com",
                Role.ADMIN);
        // whoever holds the link cannot set a password for Kim's account, nor sign in as Kim with it
        assertThrows(ClawlessException.Conflict.class, () -> memberships.acceptAsNew(second.link().token(),
                "Mallory", "mallory's own password", Optional.empty(), client()));
        assertThrows(ClawlessException.Unauthorized.class, () -> accounts.login("kim@example.com",
                "mallory's own password", Optional.empty(), client()));
        // another signed-in person cannot use it either
        assertThrows(ClawlessException.Forbidden.class, () -> memberships.acceptAsSignedIn(second.link().token(),
                a.user(), client()));
        assertTrue(memberships.members(other).stream().noneMatch(m -> m.user().id().equals(a.user().id())));
        // Kim, signed in, joins; the link is then spent
        memberships.acceptAsSignedIn(second.link().token(), kim.user(), client());
        assertEquals(Role.ADMIN, memberships.member(other, kim.user().id()).role());
        assertThrows(ClawlessException.Gone.class, () -> memberships.acceptAsSignedIn(second.link().token(),
                kim.user(), client()));
        assertEquals("kim@example.com", accounts.login("kim@example.com", PASSWORD, Optional.empty(), client())
                .user().email());
    }

    @Test
    void resetLinksExpireAndAnOlderOneStopsWhenANewOneIsMade() {
        SignedIn a = admin();
        IssuedLink first = accounts.issueReset(a.user(), Actor.admin("r"));
        IssuedLink second = accounts.issueReset(a.user(), Actor.admin("r"));
        assertThrows(ClawlessException.Gone.class, () -> accounts.resetEmail(first.token()));
        clock.advance(Duration.ofMinutes(61));
        assertThrows(ClawlessException.Gone.class, () -> accounts.reset(second.token(), "another long password", "r"));
    }

    @Test
    void aLockedAccountOpensAgainAfterTheLockout() {
        admin();
        for (int i = 0; i < AccountSettings.DEFAULT.maxFailedLogins(); i++) {
            assertThrows(ClawlessException.Unauthorized.class, () -> accounts.login("root@example.com", "wrong one!",
                    Optional.empty(), client()));
        }
        ClawlessException.TooManyRequests locked = assertThrows(ClawlessException.TooManyRequests.class,
                () -> accounts.login("root@example.com", PASSWORD, Optional.empty(), client()));
        assertEquals(15 * 60 + 1, locked.retryAfterSeconds());
        clock.advance(Duration.ofMinutes(15).plusSeconds(1));
        assertEquals("root@example.com", accounts.login("root@example.com", PASSWORD, Optional.empty(), client())
                .user().email());
    }

    @Test
    void anAddressWithoutAnAccountLocksJustLikeOneWithAnAccount() {
        admin();
        ClawlessException.TooManyRequests[] locked = new ClawlessException.TooManyRequests[2];
        String[] addresses = {"root@example.com", "nobody@example.com"};
        for (int a = 0; a < 2; a++) {
            String address = addresses[a];
            Accounts.Client from = client("192.0.2." + (10 + a)); // the per-client limit is not what is tested
            for (int i = 0; i < AccountSettings.DEFAULT.maxFailedLogins(); i++) {
                assertThrows(ClawlessException.Unauthorized.class, () -> accounts.login(address, "wrong one!",
                        Optional.empty(), from));
            }
            locked[a] = assertThrows(ClawlessException.TooManyRequests.class, () -> accounts.login(address,
                    PASSWORD, Optional.empty(), client("192.0.2.20")));
        }
        assertEquals(locked[0].getMessage(), locked[1].getMessage());
        assertEquals(locked[0].retryAfterSeconds(), locked[1].retryAfterSeconds());
        clock.advance(Duration.ofMinutes(15).plusSeconds(1));
        assertThrows(ClawlessException.Unauthorized.class, () -> accounts.login("nobody@example.com", PASSWORD,
                Optional.empty(), client("192.0.2.30")));
    }

    @Test
    void idleAndExpiredSessionsEnd() {
        SignedIn a = admin();
        assertTrue(accounts.authenticate(a.cookie()).isPresent());
        assertTrue(accounts.authenticate(a.cookie().replace('.', 'x')).isEmpty());
        assertTrue(accounts.authenticate(a.cookie() + "x").isEmpty(), "a wrong secret");
        clock.advance(AccountSettings.DEFAULT.sessionIdle().plusSeconds(1));
        assertTrue(accounts.authenticate(a.cookie()).isEmpty(), "idle too long");
    }

    @Test
    void totpCodesWorkOneStepEitherSideAndOnlyOnce() {
        String secret = TotpCodes.newSecret();
        Instant now = Instant.parse("2026-12-01T10:00:15Z");
        assertTrue(TotpCodes.verify(secret, TotpCodes.code(secret, now.minusSeconds(30)), now, Optional.empty())
                .isPresent());
        assertTrue(TotpCodes.verify(secret, TotpCodes.code(secret, now.minusSeconds(90)), now, Optional.empty())
                .isEmpty(), "too old");
        long step = TotpCodes.verify(secret, TotpCodes.code(secret, now), now, Optional.empty()).orElseThrow();
        assertTrue(TotpCodes.verify(secret, TotpCodes.code(secret, now), now, Optional.of(step)).isEmpty(),
                "a used code");
        assertTrue(TotpCodes.verify(secret, "12345", now, Optional.empty()).isEmpty());
        // RFC 6238's SHA-1 test vector: secret "12345678901234567890", T = 59 s -> 94287082 (last six: 287082)
        String rfc = new org.apache.commons.codec.binary.Base32().encodeToString("12345678901234567890".getBytes(
                java.nio.charset.StandardCharsets.US_ASCII)).replace("=", "");
        assertEquals("287082", TotpCodes.code(rfc, Instant.ofEpochSecond(59)));
    }
}
