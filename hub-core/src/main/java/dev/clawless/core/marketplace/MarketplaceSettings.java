package dev.clawless.core.marketplace;

import java.nio.file.Path;
import java.util.Map;

/**
 * How the marketplace checks uploads.
 *
 * @param store            folder of the content-addressed JARs ({@code <sha256>.jar})
 * @param maxUploadBytes   largest JAR accepted (413 beyond, while streaming)
 * @param maxEntries       entries one JAR may hold, nested archives included
 * @param maxExpandedBytes bytes one JAR may expand to, nested archives included
 * @param requireSigned    refuse uploads without a trusted publisher's signature
 * @param trustedPublishers publisher name → Ed25519 public key (X.509 SubjectPublicKeyInfo, DER)
 * @param syncInterval     how often a node re-reads installations changed elsewhere
 * @param loadTimeout      longest a plugin may take to load and start
 * @param sandbox          which plugins run sandboxed, and a sandbox's limits
 */
public record MarketplaceSettings(Path store, long maxUploadBytes, int maxEntries, long maxExpandedBytes,
                                  boolean requireSigned, Map<String, byte[]> trustedPublishers,
                                  java.time.Duration syncInterval, java.time.Duration loadTimeout,
                                  dev.clawless.core.marketplace.sandbox.SandboxSettings sandbox) {

    public MarketplaceSettings {
        trustedPublishers = Map.copyOf(trustedPublishers);
    }

    @Override
    public String toString() {
        return "MarketplaceSettings[store=" + store + ", maxUploadBytes=" + maxUploadBytes + ", requireSigned="
                + requireSigned + ", trustedPublishers=" + trustedPublishers.keySet() + ", isolation=" + sandbox.isolation()
                + "]";
    }
}
