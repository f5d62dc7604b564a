package dev.clawless.core.account;

import java.time.Duration;

/**
 * How accounts behave.
 *
 * @param sessionLifetime           how long a browser session lasts at most
 * @param sessionIdle               how long an unused session lasts
 * @param invitationLifetime        how long an invitation link works
 * @param resetLifetime             how long a password reset link works
 * @param setupLifetime             how long the first-admin link works
 * @param maxFailedLogins           failed sign-ins in a row that lock an account
 * @param lockout                   how long a locked account stays locked
 * @param loginFailuresPerMinute    failed sign-ins one client address may make per minute (a token bucket: that many
 *                                  at once, then as many per minute)
 * @param requestsPerMinute         sign-in, setup, invitation and reset requests (each may hash a password) one
 *                                  client address may make per minute
 */
public record AccountSettings(Duration sessionLifetime, Duration sessionIdle, Duration invitationLifetime,
                              Duration resetLifetime, Duration setupLifetime, int maxFailedLogins, Duration lockout,
                              int loginFailuresPerMinute, int requestsPerMinute) {

    public static final AccountSettings DEFAULT = new AccountSettings(Duration.ofDays(14), Duration.ofDays(3),
            Duration.ofDays(7), Duration.ofHours(1), Duration.ofDays(1), 10, Duration.ofMinutes(15), 10, 60);
}
