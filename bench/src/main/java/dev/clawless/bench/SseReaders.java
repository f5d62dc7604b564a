package dev.clawless.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * N server-sent-event streams read by a few selector threads, for {@link StreamBench}: each stream is a plain
 * HTTP/1.1 {@code GET} on its own socket whose bytes are split into lines and looked at, nothing more. The JDK's
 * {@code HttpClient} reads every connection of a client on one selector thread and hands each read through several
 * layers to the reading thread; with 10,000 streams that, not the server, set the broadcast latency: the bare
 * anchor's p99 was over 400 ms. These readers share the streams out over {@code threads} selectors (the machine's
 * cores) and time an arrival where its line is read.
 */
final class SseReaders implements AutoCloseable {

    /** Lines seen: {@code : connected} once per stream, then data lines holding the current marker. */
    final AtomicInteger connected = new AtomicInteger();
    final AtomicInteger arrived = new AtomicInteger();
    /** Streams the server closed or reset. */
    final AtomicInteger closed = new AtomicInteger();
    final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    final AtomicReference<String> marker = new AtomicReference<>("none");
    final AtomicLong sentAt = new AtomicLong();

    private final List<Selector> selectors = new ArrayList<>();
    private final List<SocketChannel> channels = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean open = true;

    /** One stream's bytes since its last complete line. */
    private static final class Line {
        final StringBuilder text = new StringBuilder();
    }

    /**
     * Opens {@code n} streams to {@code GET path} on 127.0.0.1:{@code port} with the given headers, read by
     * {@code threads} selector threads.
     */
    SseReaders(int port, String path, Map<String, String> headers, int n, int threadCount) throws IOException {
        StringBuilder request = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1:")
                .append(port).append("\r\nAccept: text/event-stream\r\n");
        headers.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
        byte[] bytes = request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        for (int t = 0; t < threadCount; t++) {
            selectors.add(Selector.open());
        }
        for (int i = 0; i < n; i++) {
            SocketChannel c = SocketChannel.open();
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            c.connect(new InetSocketAddress("127.0.0.1", port)); // blocking: the server's backlog paces us
            ByteBuffer out = ByteBuffer.wrap(bytes);
            while (out.hasRemaining()) {
                c.write(out);
            }
            c.configureBlocking(false);
            channels.add(c);
        }
        for (int t = 0; t < threadCount; t++) {
            Selector s = selectors.get(t);
            for (int i = t; i < channels.size(); i += threadCount) {
                channels.get(i).register(s, SelectionKey.OP_READ, new Line());
            }
            threads.add(Thread.ofPlatform().daemon().name("sse-reader-" + t).start(() -> read(s)));
        }
    }

    private void read(Selector selector) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        byte[] heap = new byte[64 * 1024];
        try {
            while (open) {
                selector.select(200);
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel c = (SocketChannel) key.channel();
                    Line line = (Line) key.attachment();
                    buffer.clear();
                    int read;
                    try {
                        read = c.read(buffer);
                    } catch (IOException e) {
                        read = -1;
                    }
                    if (read < 0) {
                        key.cancel();
                        closed.incrementAndGet();
                        continue;
                    }
                    buffer.flip();
                    buffer.get(heap, 0, read);
                    long now = System.nanoTime();
                    for (int i = 0; i < read; i++) {
                        char ch = (char) (heap[i] & 0xff);
                        if (ch == '\n') {
                            seen(line.text, now);
                            line.text.setLength(0);
                        } else if (line.text.length() < 4096) {
                            line.text.append(ch);
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void seen(CharSequence line, long now) {
        if (line.length() >= 11 && line.subSequence(0, 11).toString().equals(": connected")) {
            connected.incrementAndGet();
        } else if (line.length() > 6 && line.subSequence(0, 6).toString().equals("data: ")
                && line.toString().contains(marker.get())) {
            latencies.add(now - sentAt.get());
            arrived.incrementAndGet();
        }
    }

    @Override
    public void close() throws IOException {
        open = false;
        for (SocketChannel c : channels) {
            c.close();
        }
        for (Thread t : threads) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Selector s : selectors) {
            s.close();
        }
    }
}
