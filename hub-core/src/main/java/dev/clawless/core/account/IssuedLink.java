package dev.clawless.core.account;

import java.time.Instant;

/**
 * A single-use link's token, shown once: the hub keeps only its hash.
 *
 * @param id        {@code lnk_…}
 * @param token     the secret part of the link
 * @param expiresAt when it stops working
 */
public record IssuedLink(String id, String token, Instant expiresAt) {

    @Override
    public String toString() {
        return "IssuedLink[" + id + ", token=****, " + expiresAt + "]";
    }
}
