package dev.clawless.core.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.clawless.core.security.NetworkGuard;
import dev.clawless.plugin.api.HostPatterns;

/**
 * A sandbox's only way out to the network: an HTTP proxy the hub serves on a Unix socket that only that sandbox
 * sees. The child's JVM sends every HTTP(S) request through it ({@code CONNECT host:port} for HTTPS, an absolute URL
 * for plain HTTP); the hub lets a request through only to a host the plugin declared (or the tenant configured as
 * its API base), after DNS resolution, through the private-address guard, to the one vetted address. Everything else
 * gets a 403 with the reason, and is logged. Each connection may carry at most {@link #MAX_BYTES} each way.
 */
public final class Egress implements AutoCloseable {

    /** Bytes one proxied connection may carry each way. */
    public static final long MAX_BYTES = 64L << 20;
    private static final int MAX_HEAD = 16 * 1024;
    private static final int MAX_CONNECTIONS = 32;
    private static final System.Logger LOG = System.getLogger(Egress.class.getName());

    private final Path socket;
    private final ServerSocketChannel server;
    private final Supplier<Collection<String>> hosts;
    private final NetworkGuard guard;
    private final String who;
    private final Consumer<String> refused;
    private final Semaphore open = new Semaphore(MAX_CONNECTIONS);
    private static final long WARN_EVERY_NANOS = 10_000_000_000L;
    private final java.util.concurrent.atomic.AtomicLong nextWarning = new java.util.concurrent.atomic.AtomicLong(
            System.nanoTime());
    private final java.util.concurrent.atomic.AtomicInteger suppressed = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * @param socket  the Unix socket to listen on (its folder is the sandbox's own)
     * @param hosts   the hosts the sandbox may reach now (patterns as plugins declare them)
     * @param who     the sandbox, for the log
     * @param refused told of every refusal, with the reason
     */
    public Egress(Path socket, Supplier<Collection<String>> hosts, NetworkGuard guard, String who, Consumer<String> refused)
            throws IOException {
        this.socket = socket;
        this.hosts = hosts;
        this.guard = guard;
        this.who = who;
        this.refused = refused;
        Files.deleteIfExists(socket);
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread.ofPlatform().daemon().name("clawless-egress-" + who).start(this::accept);
    }

    private void accept() {
        while (server.isOpen()) {
            SocketChannel child;
            try {
                child = server.accept();
            } catch (IOException e) {
                return;
            }
            if (!open.tryAcquire()) {
                closeQuietly(child);
                continue;
            }
            Thread.ofVirtual().name("clawless-egress-conn").start(() -> {
                try {
                    serve(child);
                } finally {
                    open.release();
                    closeQuietly(child);
                }
            });
        }
    }

    private void serve(SocketChannel child) {
        InputStream fromChild = Channels.newInputStream(child);
        OutputStream toChild = Channels.newOutputStream(child);
        byte[] head;
        try {
            head = readHead(fromChild);
        } catch (IOException e) {
            return;
        }
        String text = new String(head, StandardCharsets.ISO_8859_1);
        String requestLine = text.substring(0, Math.max(0, text.indexOf("\r\n")));
        String[] parts = requestLine.split(" ");
        if (parts.length != 3) {
            refuse(toChild, 400, "not an HTTP proxy request");
            return;
        }
        boolean tunnel = parts[0].equals("CONNECT");
        String host;
        int port;
        String originForm = null;
        try {
            if (tunnel) {
                java.net.URI u = java.net.URI.create("https://" + parts[1] + "/");
                host = u.getHost();
                port = u.getPort() < 0 ? 443 : u.getPort();
            } else {
                java.net.URI u = java.net.URI.create(parts[1]);
                if (!"http".equalsIgnoreCase(u.getScheme()) || u.getHost() == null || u.getRawUserInfo() != null) {
                    refuse(toChild, 400, "only http URLs with a host go through the proxy; https goes by CONNECT");
                    return;
                }
                host = u.getHost();
                port = u.getPort() < 0 ? 80 : u.getPort();
                originForm = (u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath())
                        + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
            }
        } catch (IllegalArgumentException e) {
            refuse(toChild, 400, "the target is not a URL");
            return;
        }
        if (host == null) {
            refuse(toChild, 400, "the target has no host");
            return;
        }
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        Collection<String> allowed = hosts.get();
        if (!HostPatterns.allows(java.util.List.copyOf(allowed), bare.toLowerCase(Locale.ROOT))) {
            refuse(toChild, 403, "the plugin did not declare the host " + bare + " (declared: "
                    + (allowed.isEmpty() ? "none" : String.join(", ", allowed)) + ")");
            return;
        }
        InetAddress address;
        try {
            address = guard.connectable(bare);
        } catch (SecurityException e) {
            refuse(toChild, 403, "refused " + bare + ": " + e.getMessage());
            return;
        }
        try (Socket upstream = new Socket()) {
            upstream.connect(new InetSocketAddress(address, port), 10_000);
            upstream.setSoTimeout(120_000);
            OutputStream toUpstream = upstream.getOutputStream();
            if (tunnel) {
                toChild.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                toChild.flush();
            } else {
                toUpstream.write(rewritten(text, parts[0], originForm, parts[2], bare, port));
                toUpstream.flush();
            }
            Thread back = Thread.ofVirtual().start(() -> {
                pump(upstreamIn(upstream), toChild);
                try {
                    child.shutdownOutput();
                } catch (IOException ignored) {
                    // the child went away
                }
            });
            pump(fromChild, toUpstream);
            try {
                upstream.shutdownOutput();
            } catch (IOException ignored) {
                // the server went away
            }
            back.join(120_000);
        } catch (IOException e) {
            refuse(toChild, 502, "cannot reach " + bare + ":" + port + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static InputStream upstreamIn(Socket s) {
        try {
            return s.getInputStream();
        } catch (IOException e) {
            return InputStream.nullInputStream();
        }
    }

    /**
     * The request head for the origin server: origin-form target, the {@code Host} the check passed (not one the
     * plugin wrote, which a shared address would route elsewhere), no proxy headers, and {@code Connection: close},
     * so that the connection carries this one request.
     */
    private static byte[] rewritten(String head, String method, String target, String version, String host,
                                    int port) {
        StringBuilder b = new StringBuilder(method).append(' ').append(target).append(' ').append(version)
                .append("\r\n");
        b.append("Host: ").append(host.contains(":") ? "[" + host + "]" : host).append(port == 80 ? "" : ":" + port)
                .append("\r\n");
        String[] lines = head.split("\r\n");
        for (int i = 1; i < lines.length; i++) {
            String lower = lines[i].toLowerCase(Locale.ROOT);
            if (lines[i].isEmpty() || lower.startsWith("proxy-") || lower.startsWith("host:")
                    || lower.startsWith("connection:") || lower.startsWith("keep-alive:")) {
                continue;
            }
            b.append(lines[i]).append("\r\n");
        }
        return b.append("Connection: close\r\n\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void pump(InputStream in, OutputStream out) {
        byte[] buffer = new byte[16 * 1024];
        long total = 0;
        try {
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > MAX_BYTES) {
                    break;
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // either side went away: the other notices
        }
    }

    /** The request head, up to and including the empty line; a head over 16 KiB is refused. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (head.size() < MAX_HEAD) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the request ended inside its head");
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toByteArray();
            }
        }
        throw new IOException("the request head is over 16 KiB");
    }

    private void refuse(OutputStream out, int status, String reason) {
        // a sandbox that retries a refused host in a loop must not flood the hub's log: one warning per 10 s, the
        // rest at DEBUG and counted in the next warning
        long now = System.nanoTime();
        long next = nextWarning.get();
        if (now - next >= 0 && nextWarning.compareAndSet(next, now + WARN_EVERY_NANOS)) {
            int quiet = suppressed.getAndSet(0);
            LOG.log(System.Logger.Level.WARNING, "sandbox {0}: egress refused ({1}): {2}{3}", who, status, reason,
                    quiet == 0 ? "" : " (" + quiet + " more refusals in the last 10 s logged at DEBUG)");
        } else {
            suppressed.incrementAndGet();
            LOG.log(System.Logger.Level.DEBUG, "sandbox {0}: egress refused ({1}): {2}", who, status, reason);
        }
        refused.accept(reason);
        byte[] body = (reason + "\n").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + (status == 403 ? " Forbidden" : status == 502 ? " Bad Gateway"
                : " Bad Request") + "\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n";
        try {
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
        } catch (IOException ignored) {
            // the child went away
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // already closed
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // the folder goes with the sandbox
        }
    }
}
