package dev.clawless.plugin.api;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostPatternsTest {

    @Test
    void exactHostsWildcardsAndAny() {
        List<String> p = List.of("api.github.com", "*.slack.com");
        assertTrue(HostPatterns.allows(p, "api.github.com"));
        assertTrue(HostPatterns.allows(p, "API.GitHub.com."));
        assertFalse(HostPatterns.allows(p, "github.com"));
        assertFalse(HostPatterns.allows(p, "api.github.com.evil.net"));
        assertTrue(HostPatterns.allows(p, "hooks.slack.com"));
        assertTrue(HostPatterns.allows(p, "a.b.slack.com"));
        assertFalse(HostPatterns.allows(p, "slack.com"));
        assertFalse(HostPatterns.allows(p, "evilslack.com"));
        assertFalse(HostPatterns.allows(p, null));
        assertFalse(HostPatterns.allows(List.of(), "api.github.com"));
        assertTrue(HostPatterns.allows(List.of("*"), "anything.example"));
    }
}
