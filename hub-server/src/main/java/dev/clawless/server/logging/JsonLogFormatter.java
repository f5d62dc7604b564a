package dev.clawless.server.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.clawless.server.http.Json;

/**
 * One JSON object per log record: {@code ts}, {@code level}, {@code logger}, {@code message}, the fields of a
 * structured record (a record whose only parameter is a {@code Map}, as the access log writes), and the stack trace
 * when there is one.
 */
public final class JsonLogFormatter extends Formatter {

    @Override
    public String format(LogRecord record) {
        ObjectNode line = Json.object();
        line.put("ts", Instant.ofEpochMilli(record.getMillis()).toString());
        line.put("level", record.getLevel().getName());
        line.put("logger", record.getLoggerName());
        Object[] params = record.getParameters();
        if (params != null && params.length == 1 && params[0] instanceof Map<?, ?> fields) {
            line.put("message", record.getMessage());
            fields.forEach((k, v) -> line.set(String.valueOf(k), Json.MAPPER.valueToTree(v)));
        } else {
            line.put("message", Logging.redact(formatMessage(record)));
        }
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.put("error", Logging.redact(trace.toString()));
        }
        return line.toString() + System.lineSeparator();
    }
}
