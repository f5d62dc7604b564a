package dev.clawless.core.sales;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading a lead form's answers without a model, scoring, and what is asked next. */
class LeadAnswersTest {

    static final LeadForm FORM = form();

    static LeadForm form() {
        try {
            return LeadForm.parse(new ObjectMapper().readTree("""
                    {"default_region":"CO","qualify_at":60,"intent_points":{"ecommerce":30,"pricing":10},
                     "fields":[{"name":"name","type":"name","required":true,"points":20,"question":"¿Nombre?"},
                               {"name":"email","type":"email","required":true,"points":20,"question":"¿Correo?"},
                               {"name":"phone","type":"phone","points":10,"question":"¿Teléfono?"},
                               {"name":"budget","type":"number","points":10,"question":"¿Presupuesto?"},
                               {"name":"need","type":"text","question":"¿Qué necesitas?"}]}"""));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theAskedFieldTakesTheMessageAndAddressesAreFoundAnywhere() {
        assertEquals(Map.of("name", "Ana Gómez"), LeadAnswers.read(FORM, Optional.of("name"), "Me llamo Ana Gómez."));
        assertEquals(Map.of("name", "John Smith"), LeadAnswers.read(FORM, Optional.of("name"), "Hi, my name is John Smith"));
        assertEquals(Map.of("name", "Maria"), LeadAnswers.read(FORM, Optional.of("name"), "meu nome é Maria"));
        // a question, an address or a sentence is not a name
        assertEquals(Map.of(), LeadAnswers.read(FORM, Optional.of("name"), "¿Cuánto cuesta una tienda?"));
        assertEquals(Map.of(), LeadAnswers.read(FORM, Optional.of("name"), "I would rather not tell you my name right now"));
        assertEquals(Map.of(), LeadAnswers.read(FORM, Optional.of("name"), "I'm interested in a website"));
        assertEquals(Map.of(), LeadAnswers.read(FORM, Optional.of("name"), "soy de Bogotá"));
        assertEquals(Map.of(), LeadAnswers.read(FORM, Optional.of("name"), "quiero una tienda"));
        assertEquals(Map.of("name", "María de los Ángeles"), LeadAnswers.read(FORM, Optional.of("name"),
                "soy María de los Ángeles"));
        assertEquals(Map.of("name", "ana gomez"), LeadAnswers.read(FORM, Optional.of("name"), "ana gomez"));
        assertEquals(Map.of("email", "ana@tienda.co", "phone", "+573001234567"), LeadAnswers.read(FORM,
                Optional.empty(), "Escríbeme a Ana@Tienda.co o al 300 123 4567"));
        assertEquals(Map.of("phone", "+525512345678"), LeadAnswers.read(FORM, Optional.empty(),
                "mi whatsapp es +52 55 1234 5678"));
        assertEquals(Map.of(), LeadAnswers.read(FORM, Optional.empty(), "pedido 12345 del 2024"),
                "an order number is no phone number");
        assertEquals(Map.of("budget", "5.000.000"), LeadAnswers.read(FORM, Optional.of("budget"), "unos 5.000.000 COP"));
        assertEquals(Map.of("need", "Una tienda online con pagos"), LeadAnswers.read(FORM, Optional.of("need"),
                "Una tienda online con pagos"));
    }

    @Test
    void aModelsValuesAreCheckedLikeAnswers() {
        LeadForm.Field email = FORM.field("email").orElseThrow();
        LeadForm.Field phone = FORM.field("phone").orElseThrow();
        assertEquals(Optional.empty(), LeadAnswers.checked(email, "not an address", "CO"));
        assertEquals(Optional.empty(), LeadAnswers.checked(phone, "unknown", "CO"));
        assertEquals(Optional.of("+573001234567"), LeadAnswers.checked(phone, "3001234567", "CO"));
    }

    @Test
    void yesInThreeLanguages() {
        for (String yes : List.of("sí", "Si, claro", "ok", "Yes please!", "sim", "dale", "Claro que sí")) {
            assertTrue(LeadAnswers.saysYes(yes), yes);
        }
        for (String no : List.of("no", "no gracias", "¿cuánto cuesta?", "yesterday I called", "si no es molestia no",
                "claro que no", "ok no", "please don't", "sim, mas não agora", "no, thanks")) {
            assertFalse(LeadAnswers.saysYes(no), no);
        }
    }

    @Test
    void scoreFromAnswersAndIntentsAndWhatIsAskedNext() {
        assertEquals(40, LeadCaptureFlow.score(FORM, Map.of("name", "A", "email", "a@b.co"), List.of()));
        assertEquals(80, LeadCaptureFlow.score(FORM, Map.of("name", "A", "email", "a@b.co"), List.of("ecommerce", "pricing",
                "other")));
        assertEquals("name", LeadCaptureFlow.next(FORM, Map.of(), false).orElseThrow().name());
        assertEquals("email", LeadCaptureFlow.next(FORM, Map.of("name", "A"), false).orElseThrow().name());
        // required ones done but not qualified yet: the optional ones, in order
        assertEquals("phone", LeadCaptureFlow.next(FORM, Map.of("name", "A", "email", "a@b.co"), false).orElseThrow().name());
        // qualified: nothing more is asked
        assertEquals(Optional.empty(), LeadCaptureFlow.next(FORM, Map.of("name", "A", "email", "a@b.co"), true));
    }
}
