package dev.clawless.server.channels;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** X-Twilio-Signature computed in the tests, independently of the SDK: HMAC-SHA1(url + sorted key+value). */
public final class WhatsAppServerTestSignatures {

    private WhatsAppServerTestSignatures() {
    }

    public static String twilio(String authToken, String url, String form) throws Exception {
        StringBuilder data = new StringBuilder(url);
        Map<String, String> sorted = new TreeMap<>();
        for (String pair : form.split("&")) {
            String[] kv = pair.split("=", 2);
            sorted.put(decode(kv[0]), decode(kv.length > 1 ? kv[1] : ""));
        }
        sorted.forEach((k, v) -> data.append(k).append(v));
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s; // a deliberately broken escape: sign it as it is
        }
    }
}
