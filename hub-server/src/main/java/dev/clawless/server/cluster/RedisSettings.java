package dev.clawless.server.cluster;

import java.net.URI;
import java.time.Duration;

/**
 * How to reach Redis.
 *
 * @param url      {@code redis://[user:password@]host:port[/db]} or {@code rediss://…} (TLS)
 * @param poolSize connections for commands (the subscription has one more of its own)
 * @param timeout  connect and read timeout of a command
 */
public record RedisSettings(URI url, int poolSize, Duration timeout) {

    /** The address without credentials, for logs and health. */
    public String address() {
        return url.getScheme() + "://" + url.getHost() + ":" + (url.getPort() < 0 ? 6379 : url.getPort());
    }

    @Override
    public String toString() {
        return "RedisSettings[" + address() + (url.getRawUserInfo() == null ? "" : " (with credentials)")
                + ", poolSize=" + poolSize + ", timeout=" + timeout + "]";
    }
}
