package dev.clawless.core.common;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import dev.clawless.core.common.ClawlessException.FieldError;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchemaCheckTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEMA = """
            {"type": "object", "additionalProperties": false, "required": ["mode"],
             "properties": {
               "mode": {"type": "string", "enum": ["webhook", "polling"]},
               "api_base_url": {"type": "string", "format": "uri", "maxLength": 50},
               "port": {"type": "integer", "minimum": 1, "maximum": 65535},
               "origins": {"type": "array", "maxItems": 2, "items": {"type": "string", "pattern": "^https?://"}},
               "tls": {"type": "boolean"}
             }}""";

    private static List<FieldError> check(String value) throws Exception {
        return SchemaCheck.check(JSON.readTree(SCHEMA), JSON.readTree(value), "config");
    }

    @Test
    void aValidConfigPasses() throws Exception {
        assertEquals(List.of(), check("{\"mode\":\"polling\",\"api_base_url\":\"http://localhost:9\",\"port\":993,"
                + "\"origins\":[\"https://a.example\"],\"tls\":true}"));
    }

    @Test
    void everyViolationIsNamedByItsPath() throws Exception {
        List<FieldError> errors = check("{\"port\":0,\"api_base_url\":\"ftp://x\",\"origins\":[\"a\",5],"
                + "\"tls\":\"yes\",\"colour\":1}");
        List<String> fields = errors.stream().map(FieldError::field).toList();
        assertTrue(fields.containsAll(List.of("config.mode", "config.port", "config.api_base_url",
                "config.origins[0]", "config.origins[1]", "config.tls", "config.colour")), errors.toString());
        assertEquals(List.of(new FieldError("config.mode", "must be one of [webhook, polling]")),
                check("{\"mode\":\"pigeon\"}"));
        assertEquals("config.origins", check("{\"mode\":\"webhook\",\"origins\":[\"http://a\",\"http://b\","
                + "\"http://c\"]}").get(0).field());
    }

    @Test
    void notAnObjectIsOneError() throws Exception {
        JsonNode schema = JSON.readTree(SCHEMA);
        assertEquals(List.of(new FieldError("config", "must be an object")),
                SchemaCheck.check(schema, JSON.readTree("[1]"), "config"));
    }
}
