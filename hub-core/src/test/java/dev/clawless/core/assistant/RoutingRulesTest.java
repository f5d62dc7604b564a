package dev.clawless.core.assistant;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoutingRulesTest {

    private static final RoutingRules RULES = RoutingRules.parse("code -> openai/gpt-4o; long -> anthropic/claude-x;"
            + " complex -> openai/o-mini; attachments -> ollama/llava; plan:enterprise -> openai/gpt-4o");

    private static RoutingRules.Traits text(String t) {
        return new RoutingRules.Traits(t, false, "free");
    }

    @Test
    void theFirstMatchingRuleWins() {
        assertEquals(List.of("openai/gpt-4o"), RULES.matches(text("why does `x` fail?\n```java\nint a = 1;\n```")));
        assertEquals("anthropic/claude-x", RULES.matches(text("a".repeat(1600))).get(0));
        assertEquals(List.of("openai/o-mini"), RULES.matches(text("Can you compare the two plans for me?")));
        assertEquals(List.of("ollama/llava"), RULES.matches(new RoutingRules.Traits("look", true, "free")));
        assertEquals(List.of("openai/gpt-4o"), RULES.matches(new RoutingRules.Traits("hi", false, "enterprise")));
        assertEquals(List.of(), RULES.matches(text("hello there")));
    }

    @Test
    void rulesNamingAnUnavailableProviderAreSkipped() {
        RoutingRules.Traits longCode = text("```\n" + "x;\n".repeat(600) + "```");
        assertEquals(Optional.of("anthropic/claude-x"), RULES.route(longCode, Set.of("anthropic", "retrieval")));
        assertEquals(Optional.empty(), RULES.route(longCode, Set.of("retrieval")));
    }

    @Test
    void badRulesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RoutingRules.parse("smart -> x"));
        assertTrue(e.getMessage().contains("smart"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RoutingRules.parse("code openai"));
        assertThrows(IllegalArgumentException.class, () -> RoutingRules.parse("code -> Not Valid"));
        assertEquals(0, RoutingRules.parse(" ; ").rules().size());
    }
}
