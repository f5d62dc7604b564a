package dev.clawless.core.inbox;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.clawless.core.assistant.HandoffPhrases;
import dev.clawless.core.common.ClawlessException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The inbox's small rules: accepting a person, business hours, ratings. */
class InboxRulesTest {

    @ParameterizedTest
    @ValueSource(strings = {"yes", "Yes please!", "sí, por favor", "Si", "sim", "claro", "ok", "oui", "oui merci",
            "ja bitte", "of course", "d'accord", "s’il vous plaît", "claro que sim", "pode ser", "a human please",
            "I want to talk to a person", "I'd like to speak with someone", "quiero hablar con una persona",
            "quero falar com um atendente", "je veux parler à un humain", "je voudrais parler à quelqu'un",
            "ich möchte mit einem Mitarbeiter sprechen", "ok thanks", "sure, connect me", "Yes 👍"})
    void shortAcceptancesInFiveLanguagesTakeThePerson(String yes) {
        assertTrue(HandoffPhrases.accepts(yes), yes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "no", "No thanks", "não", "nein danke", "yes but not now", "ok no thanks",
            "sure, I don't want a human", "sure, I don’t want a human", "I dont need a person", "no human please",
            "I don't need a person", "not a human, just answer", "yes, later", "sí, luego", "sim, depois",
            "oui, plus tard", "ja, später", "bitte nicht", "claro que no", "não quero atendente", "pas de humain",
            "je ne veux pas", "kein Mensch", "is a human there?", "can a person really help?", "ok?", "yes?", "¿sí?",
            "maybe", "thanks", "merci", "the", "to me", "I want to talk", "what is your refund policy",
            "What are your opening hours?", "yes but I have another question about my invoice",
            "yes yes yes yes yes yes yes yes yes yes yes yes yes yes yes yes yes ok",
            "Do you ship to Canada and how long does it take to get to Toronto in winter?"})
    void refusalsQuestionsPostponementsAndOtherMessagesKeepTheAssistant(String notYes) {
        assertFalse(HandoffPhrases.accepts(notYes), notYes);
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
        // intervals given out of order are kept in order: the next opening is the earlier one
        BusinessHours split = BusinessHours.parse("UTC", Map.of("fri", List.of("14:00-18:00", "09:00-12:00")), "bh");
        assertEquals("Friday 09:00 (UTC)", BusinessHours.describe(split.nextOpening(
                Instant.parse("2026-12-04T06:00:00Z")).orElseThrow()));
        assertEquals(List.of("09:00-12:00", "14:00-18:00"), split.daysWire().get("fri"));
        ClawlessException.Validation overlap = assertThrows(ClawlessException.Validation.class, () -> BusinessHours
                .parse("UTC", Map.of("mon", List.of("09:00-13:00", "12:00-17:00")), "bh"));
        assertEquals("bh.days.mon", overlap.errors().get(0).field(), overlap.errors().toString());
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
