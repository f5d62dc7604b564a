package dev.clawless.core.assistant;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JSON replies and client schemas as {@link ReplyFormatCheck} judges them. */
class ReplyFormatCheckTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PERSON = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"
            + "\"tags\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/tag\"}}},\"required\":[\"name\"],"
            + "\"$defs\":{\"tag\":{\"type\":\"string\",\"maxLength\":5}}}";

    @Test
    void aJsonObjectReplyMustBeOneObject() {
        assertTrue(ReplyFormatCheck.problem(ReplyFormat.JSON_OBJECT, " {\"a\": 1}\n").isEmpty());
        assertTrue(ReplyFormatCheck.problem(ReplyFormat.JSON_OBJECT, "[1, 2]").orElseThrow().contains("not a JSON object"));
        assertTrue(ReplyFormatCheck.problem(ReplyFormat.JSON_OBJECT, "Sure: {\"a\": 1}").orElseThrow()
                .contains("not JSON"));
        assertTrue(ReplyFormatCheck.problem(ReplyFormat.TEXT, "anything at all").isEmpty());
    }

    @Test
    void aSchemaReplyMustSatisfyTheSchemaLocalRefsIncluded() {
        ReplyFormat person = ReplyFormat.schema("person", PERSON, false);
        assertTrue(ReplyFormatCheck.problem(person, "{\"name\":\"Ada\",\"tags\":[\"math\"]}").isEmpty());
        String missing = ReplyFormatCheck.problem(person, "{\"tags\":[]}").orElseThrow();
        assertTrue(missing.contains("'person'") && missing.contains("name"), missing);
        String tooLong = ReplyFormatCheck.problem(person, "{\"name\":\"Ada\",\"tags\":[\"analysis\"]}").orElseThrow();
        assertTrue(tooLong.contains("/tags/0"), tooLong);
    }

    @Test
    void clientSchemasAreCheckedAgainstTheMetaSchemaAndNeverFetchAnything() throws Exception {
        assertEquals(java.util.Optional.empty(), ReplyFormatCheck.schemaProblem(JSON.readTree(PERSON)));
        assertTrue(ReplyFormatCheck.schemaProblem(JSON.readTree("{\"type\":\"thing\"}")).isPresent());
        assertTrue(ReplyFormatCheck.schemaProblem(JSON.readTree("[1]")).isPresent());
        // a remote $ref is not loaded: the schema is refused instead (the hub never calls out for a client)
        assertTrue(ReplyFormatCheck.schemaProblem(JSON.readTree("{\"type\":\"object\",\"properties\":{\"a\":"
                + "{\"$ref\":\"http://127.0.0.1:9/evil.json\"}}}")).isPresent());
    }
}
