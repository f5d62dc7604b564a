package dev.clawless.core.account;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import dev.clawless.core.account.internal.AccountStore;
import dev.clawless.core.account.internal.Passwords;
import dev.clawless.core.account.internal.TotpCodes;
import dev.clawless.core.common.ClawlessException;
import dev.clawless.core.common.ClawlessException.FieldError;
import dev.clawless.core.common.Ids;
import dev.clawless.core.security.Actor;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.security.SecretVault;
import dev.clawless.core.security.Secrets;
import dev.clawless.core.store.Database;
import dev.clawless.core.usage.RateLimiter;
import dev.clawless.plugin.api.Signatures;

/**
 * People's accounts and how they sign in: the first platform admin (from a one-time link), passwords (Argon2id),
 * the optional TOTP second factor, browser sessions (a random secret in a cookie, stored hashed, expiring and
 * revocable), password resets, lockout after repeated failures and per-address throttling, presence. Every sign-in,
 * sign-out and failure is audited. Thread-safe.
 */
public final class Accounts {

    private static final Logger LOG = Logger.getLogger(Accounts.class.getName());
    static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,190}\\.[^@\\s]{1,60}");
    static final List<String> LOCALES = List.of("en", "es", "pt");
    /** A person counts as online when the console reached the hub this recently (it does so every 30 s). */
    public static final Duration ONLINE_WINDOW = Duration.ofSeconds(90);

    private final Database database;
    private final AuditLog audit;
    private final SecretVault vault;
    private final RateLimiter limiter;
    private final Mailer mailer;
    private final AccountSettings settings;
    private final Supplier<String> consoleUrl;
    private final Clock clock;
    private final Ids ids;
    private final AccountStore store = new AccountStore();
    private final byte[] csrfKey;
    private final Map<String, Instant> blockedAddresses = new ConcurrentHashMap<>();
    /**
     * Failed sign-ins to addresses without an account, which lock like accounts do: a lockout then tells nobody
     * whether the address has an account.
     */
    private final Map<String, Lock> unknownAddresses = new ConcurrentHashMap<>();

    private record Lock(int failures, Instant lockedUntil) {
    }

    /** Password resets looked up and mailed after their answer, at most this many at a time. */
    private static final int MAX_RESETS_UNDERWAY = 32;
    private final java.util.concurrent.Semaphore resetsUnderway =
            new java.util.concurrent.Semaphore(MAX_RESETS_UNDERWAY);

    /** One text for every lockout, account or not. */
    private static final String LOCKED = "too many failed sign-ins for this address; wait, or reset the password";

    /**
     * @param consoleUrl where the console is ({@code https://hub.example/console}), for the links in mails
     */
    public Accounts(Database database, AuditLog audit, SecretVault vault, RateLimiter limiter, Mailer mailer,
                    AccountSettings settings, Supplier<String> consoleUrl, Clock clock, Ids ids) {
        this.database = database;
        this.audit = audit;
        this.vault = vault;
        this.limiter = limiter;
        this.mailer = mailer;
        this.settings = settings;
        this.consoleUrl = consoleUrl;
        this.clock = clock;
        this.ids = ids;
        this.csrfKey = vault.derive("browser-session-csrf");
    }

    /** A person known by their session cookie. */
    public record Authenticated(User user, BrowserSession session) {
    }

    AccountStore store() {
        return store;
    }

    Database database() {
        return database;
    }

    AccountSettings settings() {
        return settings;
    }

    // ---------------------------------------------------------------------------------------------- first admin

    /** True until the first platform admin exists. */
    public boolean setupNeeded() {
        return !store.anyPlatformAdmin(database.execute());
    }

    /**
     * A new one-time link for creating the first platform admin (earlier ones stop working), or empty when an admin
     * exists. The hub prints it at start; only its hash is kept.
     */
    public Optional<IssuedLink> issueSetupLink() {
        if (!setupNeeded()) {
            return Optional.empty();
        }
        Instant now = now();
        String token = Secrets.randomBase62(40);
        AccountStore.Link link = new AccountStore.Link(ids.next("lnk"), "setup", Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), "system", now, now.plus(settings.setupLifetime()),
                Optional.empty(), Optional.empty());
        database.inTransaction(tx -> {
            store.revokeSetupLinks(tx, now);
            store.insertLink(tx, link, Secrets.sha256Hex(token));
            return null;
        });
        return Optional.of(new IssuedLink(link.id(), token, link.expiresAt()));
    }

    /** Creates the first platform admin with the setup link's token, and signs them in. */
    public SignedIn setup(String token, String email, String displayName, String password, Optional<String> locale,
                          Client client) {
        String address = normalize(email);
        List<FieldError> errors = new ArrayList<>();
        checkEmail(address, errors);
        checkName(displayName, errors);
        checkPassword(password, "password", errors);
        locale.filter(l -> !LOCALES.contains(l)).ifPresent(l -> errors.add(new FieldError("locale",
                "must be one of " + LOCALES)));
        if (!errors.isEmpty()) {
            throw ClawlessException.Validation.of(errors);
        }
        // the link first: a made-up token costs no password hash
        database.inTransaction(tx -> usableLink(tx, token, "setup"));
        if (!setupNeeded()) {
            throw new ClawlessException.Conflict("the first platform admin exists; sign in instead");
        }
        String hash = Passwords.hash(password);
        Instant now = now();
        User user = new User(ids.next("usr"), address, displayName.strip(), locale.orElse("en"), true, false,
                "online", Optional.empty(), now);
        database.inTransaction(tx -> {
            AccountStore.Link link = usableLink(tx, token, "setup");
            if (store.anyPlatformAdmin(tx)) {
                throw new ClawlessException.Conflict("the first platform admin exists; sign in instead");
            }
            if (store.credentialsByEmail(tx, address).isPresent()) {
                throw new ClawlessException.Conflict("an account with this e-mail address exists");
            }
            store.useLink(tx, link.id(), now);
            store.insertUser(tx, user, Optional.of(hash));
            audit.record(tx, new Actor(user.id(), client.requestId()), Optional.empty(), "account.created",
                    Optional.of(user.id()), Map.of("platform_admin", "true", "via", "setup link"));
            return null;
        });
        LOG.info(() -> "the first platform admin " + user.id() + " was created");
        return startSession(user, client, "setup");
    }

    // ---------------------------------------------------------------------------------------------- signing in

    /**
     * Who is calling and from where, for sessions and the audit log.
     *
     * @param ip        the client address
     * @param userAgent the browser, as it says
     * @param requestId the request, for the audit log
     */
    public record Client(String ip, Optional<String> userAgent, String requestId) {
    }

    /**
     * Signs a person in. A wrong address or password is the same 401; after too many failures from one address the
     * answer is 429 for a while, and an account with {@link AccountSettings#maxFailedLogins()} failures in a row is
     * locked (429) until the lockout ends or its password is reset. With a second factor, a missing or wrong code is
     * 401 {@code totp-required} (and counts as a failure when wrong).
     */
    public SignedIn login(String email, String password, Optional<String> totpCode, Client client) {
        Instant now = now();
        Instant blocked = blockedAddresses.get(client.ip());
        if (blocked != null && blocked.isAfter(now)) {
            throw tooMany("too many failed sign-ins from this address", blocked, now);
        }
        String address = normalize(email);
        Optional<AccountStore.Credentials> found = store.credentialsByEmail(database.execute(), address);
        Optional<Instant> lockedUntil = found.isPresent() ? found.get().lockedUntil()
                : Optional.ofNullable(unknownAddresses.get(address)).map(Lock::lockedUntil);
        if (lockedUntil.filter(t -> t.isAfter(now)).isPresent()) {
            throw tooMany(LOCKED, lockedUntil.get(), now);
        }
        boolean passwordOk;
        if (found.isPresent() && found.get().passwordHash().isPresent()) {
            passwordOk = Passwords.matches(password, found.get().passwordHash().get());
        } else {
            Passwords.spendCheck(password);
            passwordOk = false;
        }
        if (!passwordOk) {
            failed(address, found, client, now, "password");
            throw new ClawlessException.Unauthorized("the e-mail address or the password is wrong");
        }
        AccountStore.Credentials c = found.get();
        Optional<Long> step = Optional.empty();
        if (c.user().totpEnabled()) {
            if (totpCode.isEmpty()) {
                throw new ClawlessException.Unauthorized("totp-required", "enter the 6-digit code of your"
                        + " authenticator app (totp_code)");
            }
            step = TotpCodes.verify(vault.decrypt(c.sealedTotpSecret().orElseThrow(), "totp:" + c.user().id()),
                    totpCode.get().strip(), now, c.totpLastStep());
            if (step.isEmpty()) {
                failed(address, found, client, now, "totp");
                throw new ClawlessException.Unauthorized("totp-required", "the code is wrong or was used already");
            }
        }
        Optional<Long> used = step;
        database.inTransaction(tx -> {
            store.succeededLogin(tx, c.user().id(), used);
            return null;
        });
        return startSession(c.user(), client, "password" + (used.isPresent() ? "+totp" : ""));
    }

    /** Records a failed sign-in; throws 429 when it was one too many for the address. */
    private void failed(String address, Optional<AccountStore.Credentials> found, Client client, Instant now,
                        String what) {
        if (found.isEmpty()) {
            unknownAddresses.compute(address, (k, was) -> {
                int failures = (was == null || was.lockedUntil().isAfter(Instant.EPOCH) ? 0 : was.failures()) + 1;
                return failures >= settings.maxFailedLogins() ? new Lock(0, now.plus(settings.lockout()))
                        : new Lock(failures, Instant.EPOCH);
            });
            if (unknownAddresses.size() > 100_000) {
                unknownAddresses.values().removeIf(l -> l.lockedUntil().isBefore(now));
            }
        }
        Optional<Duration> throttled = limiter.tryAcquire("login-failures:" + client.ip(),
                settings.loginFailuresPerMinute());
        throttled.ifPresent(wait -> blockedAddresses.put(client.ip(), now.plus(wait)));
        if (blockedAddresses.size() > 100_000) {
            blockedAddresses.entrySet().removeIf(e -> e.getValue().isBefore(now));
        }
        database.inTransaction(tx -> {
            found.ifPresent(c -> store.failedLogin(tx, c.user().id(), settings.maxFailedLogins(),
                    now.plus(settings.lockout())));
            audit.record(tx, new Actor(found.map(c -> c.user().id()).orElse("anonymous"), client.requestId()),
                    Optional.empty(), "account.login_failed", found.map(c -> c.user().id()),
                    Map.of("ip", client.ip(), "failed", what));
            return null;
        });
        if (throttled.isPresent()) {
            throw tooMany("too many failed sign-ins from this address", now.plus(throttled.get()), now);
        }
    }

    private static ClawlessException.TooManyRequests tooMany(String detail, Instant until, Instant now) {
        return new ClawlessException.TooManyRequests("too-many-attempts", detail,
                Math.max(1, Duration.between(now, until).toSeconds() + 1));
    }

    private SignedIn startSession(User user, Client client, String how) {
        Instant now = now();
        String secret = Secrets.randomBase62(32);
        BrowserSession session = new BrowserSession(ids.next("ses"), user.id(), now, now,
                now.plus(settings.sessionLifetime()),
                client.userAgent().map(a -> a.length() > 300 ? a.substring(0, 300) : a),
                Optional.of(client.ip().length() > 64 ? client.ip().substring(0, 64) : client.ip()));
        List<Membership> memberships = database.inTransaction(tx -> {
            store.insertSession(tx, session, Secrets.sha256Hex(secret));
            audit.record(tx, new Actor(user.id(), client.requestId()), Optional.empty(), "account.login",
                    Optional.of(session.id()), Map.of("ip", client.ip(), "via", how));
            return store.memberships(tx, user.id());
        });
        return new SignedIn(user, session, session.id() + "." + secret, memberships);
    }

    /**
     * The person behind a session cookie, if it names a live session: not revoked, not expired, used within the idle
     * time. Updates the session's last use (at most once a minute).
     */
    public Optional<Authenticated> authenticate(String cookie) {
        return authenticate(cookie, true);
    }

    /**
     * As {@link #authenticate(String)}; with {@code use} false the check is not a use of the session (an open event
     * stream asking whether it may go on), so an unattended browser still goes idle.
     */
    public Optional<Authenticated> authenticate(String cookie, boolean use) {
        int dot = cookie.indexOf('.');
        if (dot < 0 || cookie.length() > 200) {
            return Optional.empty();
        }
        String id = cookie.substring(0, dot);
        if (!Ids.looksLike("ses", id)) {
            return Optional.empty();
        }
        Optional<AccountStore.StoredSession> found = store.session(database.execute(), id);
        Instant now = clock.instant();
        if (found.isEmpty() || found.get().revokedAt().isPresent() || !found.get().session().expiresAt().isAfter(now)
                || found.get().session().lastUsedAt().plus(settings.sessionIdle()).isBefore(now)
                || !Secrets.digestEquals(found.get().secretHash(), Secrets.sha256Hex(cookie.substring(dot + 1)))) {
            return Optional.empty();
        }
        BrowserSession s = found.get().session();
        if (use && s.lastUsedAt().plus(Duration.ofMinutes(1)).isBefore(now)) {
            store.touchSession(database.execute(), s.id(), now.truncatedTo(ChronoUnit.MICROS));
        }
        return Optional.of(new Authenticated(found.get().user(), s));
    }

    /** The CSRF token of a session: what its state-changing requests must carry in {@code X-CSRF-Token}. */
    public String csrfToken(String sessionId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Signatures.hmac("HmacSHA256", csrfKey,
                sessionId.getBytes(StandardCharsets.UTF_8)));
    }

    /** True when {@code token} is the session's CSRF token (constant time). */
    public boolean csrfMatches(String sessionId, String token) {
        return Signatures.constantTimeEquals(csrfToken(sessionId), token);
    }

    /** Ends a session (sign-out). */
    public void logout(Authenticated who, String requestId) {
        Instant now = now();
        database.inTransaction(tx -> {
            store.revokeSession(tx, who.user().id(), who.session().id(), now);
            audit.record(tx, new Actor(who.user().id(), requestId), Optional.empty(), "account.logout",
                    Optional.of(who.session().id()), Map.of());
            return null;
        });
    }

    // ---------------------------------------------------------------------------------------------- the person

    public User user(String userId) {
        return store.user(database.execute(), userId)
                .orElseThrow(() -> new ClawlessException.NotFound("no user " + userId));
    }

    public List<Membership> memberships(String userId) {
        return store.memberships(database.execute(), userId);
    }

    /** The person's role in a tenant, if a member. */
    public Optional<Role> role(String userId, String tenantId) {
        return store.role(database.execute(), tenantId, userId);
    }

    public User updateProfile(String userId, Optional<String> displayName, Optional<String> locale) {
        User current = user(userId);
        List<FieldError> errors = new ArrayList<>();
        displayName.ifPresent(n -> checkName(n, errors));
        locale.filter(l -> !LOCALES.contains(l)).ifPresent(l -> errors.add(new FieldError("locale",
                "must be one of " + LOCALES)));
        if (!errors.isEmpty()) {
            throw ClawlessException.Validation.of(errors);
        }
        database.inTransaction(tx -> {
            store.updateProfile(tx, userId, displayName.map(String::strip).orElse(current.displayName()),
                    locale.orElse(current.locale()), now());
            return null;
        });
        return user(userId);
    }

    /** Changes the password (the current one must be given); the person's other sessions end. */
    public void changePassword(Authenticated who, String current, String next, String requestId) {
        AccountStore.Credentials c = store.credentials(database.execute(), who.user().id()).orElseThrow();
        if (c.passwordHash().isEmpty() || !Passwords.matches(current, c.passwordHash().get())) {
            throw ClawlessException.Validation.of("current_password", "is not your current password");
        }
        List<FieldError> errors = new ArrayList<>();
        checkPassword(next, "new_password", errors);
        if (!errors.isEmpty()) {
            throw ClawlessException.Validation.of(errors);
        }
        String hash = Passwords.hash(next);
        Instant now = now();
        database.inTransaction(tx -> {
            store.setPassword(tx, who.user().id(), hash, now);
            store.revokeSessions(tx, who.user().id(), Optional.of(who.session().id()), now);
            audit.record(tx, new Actor(who.user().id(), requestId), Optional.empty(), "account.password_changed",
                    Optional.of(who.user().id()), Map.of());
            return null;
        });
    }

    public List<BrowserSession> sessions(String userId) {
        return store.sessions(database.execute(), userId, clock.instant());
    }

    public void revokeSession(String userId, String sessionId, String requestId) {
        Instant now = now();
        database.inTransaction(tx -> {
            if (!store.revokeSession(tx, userId, sessionId, now)) {
                throw new ClawlessException.NotFound("no session " + sessionId);
            }
            audit.record(tx, new Actor(userId, requestId), Optional.empty(), "account.session_revoked",
                    Optional.of(sessionId), Map.of());
            return null;
        });
    }

    /** Sets the person's presence ({@code online} or {@code away}) and notes that they are here now. */
    public void presence(String userId, String presence) {
        if (!presence.equals("online") && !presence.equals("away")) {
            throw ClawlessException.Validation.of("status", "must be online or away");
        }
        store.presence(database.execute(), userId, presence, now());
    }

    /** Notes that the person's console reached the hub now (it keeps them online for auto-assignment). */
    public void seen(String userId) {
        store.seen(database.execute(), userId, now());
    }

    // ---------------------------------------------------------------------------------------------- second factor

    /** A secret to enrol in an authenticator app; active once {@link #confirmTotp} sees a code from it. */
    public record TotpEnrolment(String secret, String uri) {
        @Override
        public String toString() {
            return "TotpEnrolment[****]";
        }
    }

    public TotpEnrolment startTotp(String userId) {
        User u = user(userId);
        if (u.totpEnabled()) {
            throw new ClawlessException.Conflict("the second factor is on; turn it off first to enrol another app");
        }
        String secret = TotpCodes.newSecret();
        database.inTransaction(tx -> {
            store.setTotp(tx, userId, Optional.of(vault.encrypt(secret, "totp:" + userId)), false, now());
            return null;
        });
        return new TotpEnrolment(secret, TotpCodes.uri("Clawless", u.email(), secret));
    }

    public void confirmTotp(String userId, String code, String requestId) {
        AccountStore.Credentials c = store.credentials(database.execute(), userId).orElseThrow();
        if (c.user().totpEnabled()) {
            throw new ClawlessException.Conflict("the second factor is on already");
        }
        if (c.sealedTotpSecret().isEmpty()) {
            throw new ClawlessException.Conflict("start the enrolment first (POST /v1/me/totp)");
        }
        Optional<Long> step = TotpCodes.verify(vault.decrypt(c.sealedTotpSecret().get(), "totp:" + userId),
                code.strip(), clock.instant(), Optional.empty());
        if (step.isEmpty()) {
            throw ClawlessException.Validation.of("code", "is not the app's current code");
        }
        database.inTransaction(tx -> {
            store.setTotp(tx, userId, c.sealedTotpSecret(), true, now());
            store.setTotpStep(tx, userId, step.get());
            audit.record(tx, new Actor(userId, requestId), Optional.empty(), "account.totp_enabled",
                    Optional.of(userId), Map.of());
            return null;
        });
    }

    public void disableTotp(String userId, String password, String requestId) {
        AccountStore.Credentials c = store.credentials(database.execute(), userId).orElseThrow();
        if (c.passwordHash().isEmpty() || !Passwords.matches(password, c.passwordHash().get())) {
            throw ClawlessException.Validation.of("password", "is not your password");
        }
        List<String> requiring = store.memberships(database.execute(), userId).stream()
                .filter(Membership::requireTotp).map(Membership::tenantName).toList();
        if (!requiring.isEmpty()) {
            throw new ClawlessException.Conflict("a tenant you belong to requires a second factor: "
                    + String.join(", ", requiring));
        }
        database.inTransaction(tx -> {
            store.setTotp(tx, userId, Optional.empty(), false, now());
            audit.record(tx, new Actor(userId, requestId), Optional.empty(), "account.totp_disabled",
                    Optional.of(userId), Map.of());
            return null;
        });
    }

    // ---------------------------------------------------------------------------------------------- resets

    /**
     * Starts a password reset: when the address has an account, a single-use link is made and mailed (with SMTP
     * settings). The answer is the same either way, so addresses cannot be probed.
     */
    public void requestReset(String email, Client client) {
        String address = normalize(email);
        limiter.tryAcquire("reset:" + client.ip(), 5).ifPresent(wait -> {
            throw new ClawlessException.TooManyRequests("rate-limited", "too many reset requests from this address",
                    Math.max(1, wait.toSeconds()));
        });
        // the answer is the same, and as quick, whether the address has an account or not: the lookup, the link and
        // the mail (an SMTP round trip) happen after it
        if (!resetsUnderway.tryAcquire()) {
            LOG.warning("more than " + MAX_RESETS_UNDERWAY + " password resets are being mailed at once; this one is"
                    + " dropped (the person can ask again)");
            return;
        }
        Thread.ofVirtual().name("password-reset").start(() -> {
            try {
                store.credentialsByEmail(database.execute(), address).ifPresent(c -> mailReset(c.user(), client));
            } catch (RuntimeException e) {
                LOG.log(java.util.logging.Level.WARNING, "a password reset could not be prepared", e);
            } finally {
                resetsUnderway.release();
            }
        });
    }

    private void mailReset(User user, Client client) {
        IssuedLink link = issueReset(user, new Actor("anonymous", client.requestId()));
        boolean sent = mailer.send(user.email(), "Reset your Clawless password", "Someone (hopefully you) asked to"
                + " reset the password of your Clawless account.\n\nOpen this link within "
                + settings.resetLifetime().toMinutes() + " minutes to choose a new one:\n"
                + consoleUrl.get() + "#/reset/" + link.token() + "\n\nIf it was not you, ignore this mail.");
        if (!sent) {
            LOG.info(() -> "a password reset for " + user.id() + " was asked for; no mail was sent (no SMTP"
                    + " settings): an admin can issue a reset link");
        }
    }

    /** A reset link for a person, shown to the admin who asked (earlier reset links stop working). */
    public IssuedLink issueReset(User user, Actor actor) {
        Instant now = now();
        String token = Secrets.randomBase62(40);
        AccountStore.Link link = new AccountStore.Link(ids.next("lnk"), "reset", Optional.of(user.email()),
                Optional.empty(), Optional.empty(), Optional.of(user.id()), actor.id(), now,
                now.plus(settings.resetLifetime()), Optional.empty(), Optional.empty());
        database.inTransaction(tx -> {
            store.revokeLinks(tx, "reset", user.id(), now);
            store.insertLink(tx, link, Secrets.sha256Hex(token));
            audit.record(tx, actor, Optional.empty(), "account.reset_requested", Optional.of(user.id()), Map.of());
            return null;
        });
        return new IssuedLink(link.id(), token, link.expiresAt());
    }

    /** The address a reset link is for; 410 when used, revoked or expired. */
    public String resetEmail(String token) {
        return database.inTransaction(tx -> usableLink(tx, token, "reset")).email().orElseThrow();
    }

    /** Sets a new password with a reset link; the account unlocks and every session of it ends. */
    public void reset(String token, String password, String requestId) {
        List<FieldError> errors = new ArrayList<>();
        checkPassword(password, "password", errors);
        if (!errors.isEmpty()) {
            throw ClawlessException.Validation.of(errors);
        }
        database.inTransaction(tx -> usableLink(tx, token, "reset")); // a made-up token costs no password hash
        String hash = Passwords.hash(password);
        Instant now = now();
        database.inTransaction(tx -> {
            AccountStore.Link link = usableLink(tx, token, "reset");
            String userId = link.userId().orElseThrow();
            store.useLink(tx, link.id(), now);
            store.setPassword(tx, userId, hash, now);
            store.revokeSessions(tx, userId, Optional.empty(), now);
            audit.record(tx, new Actor(userId, requestId), Optional.empty(), "account.password_reset",
                    Optional.of(userId), Map.of());
            return null;
        });
    }

    // ---------------------------------------------------------------------------------------------- shared rules

    /** The link of a token in a transaction (locked): 404 unknown, 410 used, revoked or expired. */
    AccountStore.Link usableLink(io.helidon.dbclient.DbExecute tx, String token, String kind) {
        if (token == null || !token.matches("[0-9A-Za-z]{20,80}")) {
            throw new ClawlessException.NotFound("no such link");
        }
        AccountStore.Link link = store.linkByToken(tx, Secrets.sha256Hex(token), true)
                .filter(l -> l.kind().equals(kind))
                .orElseThrow(() -> new ClawlessException.NotFound("no such link"));
        if (link.usedAt().isPresent()) {
            throw new ClawlessException.Gone("this link was used already");
        }
        if (link.revokedAt().isPresent()) {
            throw new ClawlessException.Gone("this link was withdrawn");
        }
        if (!link.expiresAt().isAfter(clock.instant())) {
            throw new ClawlessException.Gone("this link has expired");
        }
        return link;
    }

    static String normalize(String email) {
        return email == null ? "" : email.strip().toLowerCase(Locale.ROOT);
    }

    static void checkEmail(String email, List<FieldError> errors) {
        if (!EMAIL.matcher(email).matches()) {
            errors.add(new FieldError("email", "must be an e-mail address"));
        }
    }

    static void checkName(String name, List<FieldError> errors) {
        if (name == null || name.isBlank() || name.strip().length() > 200
                || !dev.clawless.core.common.Texts.hasContent(name)) {
            errors.add(new FieldError("display_name", "must be 1-200 characters"));
        }
    }

    static void checkPassword(String password, String field, List<FieldError> errors) {
        if (password == null || password.length() < 10 || password.length() > 200) {
            errors.add(new FieldError(field, "must be 10-200 characters"));
        }
    }

    Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    Ids ids() {
        return ids;
    }

    AuditLog audit() {
        return audit;
    }

    Mailer mailer() {
        return mailer;
    }

    Supplier<String> consoleUrl() {
        return consoleUrl;
    }

    SignedIn signIn(User user, Client client, String how) {
        return startSession(user, client, how);
    }
}
