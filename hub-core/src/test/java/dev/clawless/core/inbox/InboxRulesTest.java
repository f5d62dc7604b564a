package dev.clawless.core.inbox;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.clawless.core.assistant.HandoffPhrases;
import dev.clawless.core.common.ClawlessException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The inbox's small rules: accepting a person, business hours, ratings. */
class InboxRulesTest {

    @Test
    void shortAcceptancesInFiveLanguagesTakeThePerson() {
        for (String yes : List.of("yes", "Yes please!", "sí, por favor", "Si", "sim", "claro", "ok", "a human please",
                "I want to talk to a person", "quiero hablar con una persona", "oui", "ja bitte")) {
            assertTrue(HandoffPhrases.accepts(yes), yes);
        }
        for (String no : List.of("no", "No thanks", "não", "nein danke", "What are your opening hours?", "",
                "Do you ship to Canada and how long does it take to get to Toronto in winter?")) {
            assertFalse(HandoffPhrases.accepts(no), no);
        }
    }

    @Test
    void businessHoursKnowWhenTheyOpenNext() {
        BusinessHours hours = BusinessHours.parse("America/Bogota", Map.of("mon", List.of("09:00-17:00"),
                "fri", List.of("09:00-12:00", "14:00-18:00")), "business_hours");
        // Friday 2026-12-04 12:30 in Bogota (UTC-5) is 17:30 UTC: closed, opens again at 14:00
        Instant lunch = Instant.parse("2026-12-04T17:30:00Z");
        assertFalse(hours.isOpen(lunch));
        assertEquals("Friday 14:00 (America/Bogota)", BusinessHours.describe(hours.nextOpening(lunch).orElseThrow()));
        Instant evening = Instant.parse("2026-12-04T23:30:00Z");
        assertEquals("Monday 09:00 (America/Bogota)", BusinessHours.describe(hours.nextOpening(evening).orElseThrow()));
        assertTrue(hours.isOpen(Instant.parse("2026-12-07T14:00:00Z")));
        ClawlessException.Validation bad = assertThrows(ClawlessException.Validation.class, () -> BusinessHours.parse(
                "Nowhere/Land", Map.of("funday", List.of("x"), "tue", List.of("18:00-09:00")), "business_hours"));
        assertEquals(3, bad.errors().size(), bad.errors().toString());
    }

    @Test
    void ratingsAreNumbersOrStars() {
        assertEquals(5, Inbox.rating("5").orElseThrow());
        assertEquals(4, Inbox.rating(" 4/5 ").orElseThrow());
        assertEquals(3, Inbox.rating("⭐⭐⭐").orElseThrow());
        assertTrue(Inbox.rating("6").isEmpty());
        assertTrue(Inbox.rating("5 stars but slow").isEmpty());
    }
}
