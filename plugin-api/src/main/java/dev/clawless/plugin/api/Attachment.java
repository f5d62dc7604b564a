package dev.clawless.plugin.api;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A file or other media carried by a message: metadata and where to fetch it. Content is fetched lazily, by the
 * hub, when something needs it.
 *
 * @param kind       what sort of attachment it is
 * @param url        where to fetch it (for inbound media, the platform's URL; for outbound, a URL the hub serves)
 * @param mimeType   the media type, when known
 * @param fileName   the file name, when known
 * @param sizeBytes  the size, when known
 * @param externalId the platform's id for the file (Telegram {@code file_id}, a Meta media id), when it has one
 */
public record Attachment(Kind kind, Optional<String> url, Optional<String> mimeType, Optional<String> fileName,
                         OptionalLong sizeBytes, Optional<String> externalId) {

    /** Kinds of attachment the hub tells apart. */
    public enum Kind {
        IMAGE, AUDIO, VIDEO, FILE, LOCATION, STICKER, OTHER
    }

    public Attachment {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(mimeType, "mimeType");
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(sizeBytes, "sizeBytes");
        Objects.requireNonNull(externalId, "externalId");
    }
}
