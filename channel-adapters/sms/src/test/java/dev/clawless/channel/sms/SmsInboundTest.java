package dev.clawless.channel.sms;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which messages opt a contact out or back in. */
class SmsInboundTest {

    @Test
    void keywords() {
        assertEquals(Optional.of("stop"), SmsInbound.keyword(Map.of(), "STOP"));
        assertEquals(Optional.of("stop"), SmsInbound.keyword(Map.of(), "  stop. "));
        assertEquals(Optional.of("stop"), SmsInbound.keyword(Map.of(), "Unsubscribe"));
        assertEquals(Optional.of("start"), SmsInbound.keyword(Map.of(), "Start"));
        assertEquals(Optional.of("start"), SmsInbound.keyword(Map.of(), "unstop"));
        assertEquals(Optional.empty(), SmsInbound.keyword(Map.of(), "please stop calling me at night"));
        assertEquals(Optional.empty(), SmsInbound.keyword(Map.of(), "HELP"));
        // Twilio's Advanced Opt-Out decides, with its own (possibly custom, localised) keywords
        assertEquals(Optional.of("stop"), SmsInbound.keyword(Map.of("OptOutType", "STOP"), "BAJA"));
        assertEquals(Optional.of("start"), SmsInbound.keyword(Map.of("OptOutType", "START"), "ALTA"));
        assertEquals(Optional.empty(), SmsInbound.keyword(Map.of("OptOutType", "HELP"), "AYUDA"));
    }
}
