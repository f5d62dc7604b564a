package dev.clawless.core.backup;

import java.io.IOException;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One column's values between JDBC and JSON, the same on H2 and PostgreSQL: integers as numbers, booleans as booleans,
 * instants as ISO-8601 text with their offset, dates as ISO dates, bytes as base64, everything else as text, SQL NULL
 * as null. The kind is read from the driver's metadata of the table being dumped (or loaded).
 */
enum ColumnCodec {
    INTEGER, DECIMAL, FLOATING, BOOLEAN, TIMESTAMP_TZ, TIMESTAMP, DATE, BYTES, TEXT;

    static ColumnCodec of(ResultSetMetaData meta, int column) throws SQLException {
        String name = meta.getColumnTypeName(column).toLowerCase(Locale.ROOT);
        return switch (meta.getColumnType(column)) {
            case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> INTEGER;
            case Types.NUMERIC, Types.DECIMAL -> DECIMAL;
            case Types.DOUBLE, Types.FLOAT, Types.REAL -> FLOATING;
            case Types.BOOLEAN, Types.BIT -> BOOLEAN;
            case Types.TIMESTAMP_WITH_TIMEZONE -> TIMESTAMP_TZ;
            // PostgreSQL's driver reports timestamptz as TIMESTAMP with its own type name
            case Types.TIMESTAMP -> name.contains("tz") || name.contains("time zone") ? TIMESTAMP_TZ : TIMESTAMP;
            case Types.DATE -> DATE;
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> BYTES;
            default -> TEXT;
        };
    }

    /** Writes column {@code i} of the current row. */
    void write(ResultSet rows, int i, JsonGenerator out) throws SQLException, IOException {
        switch (this) {
            case INTEGER -> {
                long v = rows.getLong(i);
                if (rows.wasNull()) {
                    out.writeNull();
                } else {
                    out.writeNumber(v);
                }
            }
            case DECIMAL -> {
                BigDecimal v = rows.getBigDecimal(i);
                if (v == null) {
                    out.writeNull();
                } else {
                    out.writeNumber(v);
                }
            }
            case FLOATING -> {
                double v = rows.getDouble(i);
                if (rows.wasNull()) {
                    out.writeNull();
                } else {
                    out.writeNumber(v);
                }
            }
            case BOOLEAN -> {
                boolean v = rows.getBoolean(i);
                if (rows.wasNull()) {
                    out.writeNull();
                } else {
                    out.writeBoolean(v);
                }
            }
            case TIMESTAMP_TZ -> text(out, rows.getObject(i, OffsetDateTime.class));
            case TIMESTAMP -> text(out, rows.getObject(i, LocalDateTime.class));
            case DATE -> text(out, rows.getObject(i, LocalDate.class));
            case BYTES -> {
                byte[] v = rows.getBytes(i);
                out.writeString(v == null ? null : Base64.getEncoder().encodeToString(v));
            }
            case TEXT -> out.writeString(rows.getString(i));
        }
    }

    private static void text(JsonGenerator out, Object value) throws IOException {
        out.writeString(value == null ? null : value.toString());
    }

    /** Binds {@code value} (from a dump) as parameter {@code i}, as this kind of column takes it. */
    void bind(PreparedStatement statement, int i, JsonNode value, int sqlType) throws SQLException {
        if (value == null || value.isNull()) {
            statement.setNull(i, sqlType);
            return;
        }
        switch (this) {
            case INTEGER -> statement.setLong(i, value.asLong());
            case DECIMAL -> statement.setBigDecimal(i, value.decimalValue());
            case FLOATING -> statement.setDouble(i, value.asDouble());
            case BOOLEAN -> statement.setBoolean(i, value.asBoolean());
            case TIMESTAMP_TZ -> statement.setObject(i, OffsetDateTime.parse(value.asText()));
            case TIMESTAMP -> statement.setObject(i, LocalDateTime.parse(value.asText()));
            case DATE -> statement.setObject(i, LocalDate.parse(value.asText()));
            case BYTES -> statement.setBytes(i, Base64.getDecoder().decode(value.asText()));
            case TEXT -> statement.setString(i, value.asText());
        }
    }
}
