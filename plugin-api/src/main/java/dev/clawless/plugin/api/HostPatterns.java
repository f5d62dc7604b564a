package dev.clawless.plugin.api;

import java.util.Collection;
import java.util.Locale;

/**
 * The host allow-list rule a plugin's declared {@code hosts} follow: an exact host ({@code api.github.com}), a
 * sub-domain wildcard ({@code *.slack.com}, which does not match {@code slack.com} itself) or {@code *} (any public
 * host; the private-address guard still applies). The hub and the test kit use this same rule.
 */
public final class HostPatterns {

    private HostPatterns() {
    }

    /** Whether {@code host} matches one of {@code patterns}; case-insensitive, a trailing dot ignored. */
    public static boolean allows(Collection<String> patterns, String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        for (String pattern : patterns) {
            String p = pattern.toLowerCase(Locale.ROOT);
            if (p.equals("*") || p.equals(h) || (p.startsWith("*.") && h.endsWith(p.substring(1))
                    && h.length() > p.length() - 1)) {
                return true;
            }
        }
        return false;
    }
}
