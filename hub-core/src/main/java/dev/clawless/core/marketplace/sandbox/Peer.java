package dev.clawless.core.marketplace.sandbox;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One end of the sandbox's pipe. Either side calls the other ({@link #call}) and answers the other's calls with its
 * {@link Handler}, each on a virtual thread of its own, so a slow call does not hold up the rest. When the pipe
 * ends, every waiting call fails with the reason the owner gives. Thread-safe.
 */
final class Peer implements AutoCloseable {

    /** Answers a call from the other side; what it throws goes back as a {@link Fault}. */
    @FunctionalInterface
    interface Handler {
        JsonNode handle(String method, JsonNode body, String ctx) throws Exception;
    }

    /** A call the other side did not answer in time. */
    static final class Timeout extends Exception {
        Timeout(String message) {
            super(message);
        }
    }

    private final String name;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final Handler handler;
    private final Semaphore handling;
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final java.util.concurrent.locks.ReentrantLock writing = new java.util.concurrent.locks.ReentrantLock();
    private final AtomicLong ids = new AtomicLong();
    private volatile String closed;

    /**
     * @param maxHandling how many of the other side's calls may run at once; more are refused with a fault
     */
    Peer(String name, InputStream in, OutputStream out, Handler handler, int maxHandling) {
        this.name = name;
        this.in = new DataInputStream(new BufferedInputStream(in, 64 * 1024));
        this.out = new DataOutputStream(new BufferedOutputStream(out, 64 * 1024));
        this.handler = handler;
        this.handling = new Semaphore(maxHandling);
    }

    /**
     * Starts reading. When the pipe ends, {@code onEnd} turns what the pipe saw into the reason every waiting call
     * fails with (the owner knows better: an exit code, a memory limit).
     */
    void start(java.util.function.UnaryOperator<String> onEnd) {
        Thread.ofPlatform().daemon().name(name).start(() -> {
            String reason;
            try {
                while (true) {
                    Wire.Frame f = Wire.read(in);
                    if ("call".equals(f.op())) {
                        if (!handling.tryAcquire()) {
                            try {
                                send(Wire.Frame.failed(f.id(), new Fault("error", "too many calls at once", null,
                                        null, null, null)), Duration.ofSeconds(1));
                            } catch (Timeout | InterruptedException stuck) {
                                // the other side does not read: its own calls time out
                            }
                            continue;
                        }
                        Thread.ofVirtual().name(name + "-call").start(() -> {
                            try {
                                answer(f);
                            } finally {
                                handling.release();
                            }
                        });
                    } else {
                        CompletableFuture<JsonNode> waiting = pending.remove(f.id());
                        if (waiting != null) {
                            if (f.fault() != null) {
                                waiting.completeExceptionally(f.fault().toException());
                            } else {
                                waiting.complete(f.body());
                            }
                        }
                    }
                }
            } catch (java.io.EOFException e) {
                reason = "the pipe closed";
            } catch (IOException | RuntimeException e) {
                reason = "the pipe broke: " + e.getMessage();
            }
            end(onEnd.apply(reason));
        });
    }

    private void answer(Wire.Frame f) {
        Wire.Frame reply;
        try {
            reply = Wire.Frame.reply(f.id(), handler.handle(f.method(), f.body(), f.ctx()));
        } catch (Exception | StackOverflowError | NoClassDefFoundError e) {
            reply = Wire.Frame.failed(f.id(), Fault.of(e));
        }
        try {
            send(reply, Duration.ofMinutes(2));
        } catch (IOException | Timeout | InterruptedException e) {
            // the pipe ended or the other side stopped reading: its call times out
        }
    }

    /**
     * Calls the other side and waits for its answer.
     *
     * @throws Timeout when no answer came within {@code timeout}
     * @throws RuntimeException the other side's fault, or a {@link SandboxFailure} when the pipe ended
     */
    JsonNode call(String method, JsonNode body, String ctx, Duration timeout) throws Timeout, InterruptedException {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        String why = closed; // after the put: a pipe that ends now fails this call too, or was seen here
        if (why != null) {
            pending.remove(id);
            throw new SandboxFailure(why);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            send(Wire.Frame.call(id, method, body, ctx), timeout);
            return answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (IOException e) {
            throw new SandboxFailure(closed != null ? closed : "the pipe broke: " + e.getMessage());
        } catch (TimeoutException e) {
            throw new Timeout(method + " did not answer within " + timeout.toMillis() / 1000.0 + " s");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new SandboxFailure(String.valueOf(e.getCause()));
        } finally {
            pending.remove(id);
        }
    }

    /**
     * Writes a frame. Waiting for the pipe counts against {@code within}: when the other side stops reading, the
     * caller times out (and its owner stops the other side, which ends the write) instead of waiting forever.
     */
    private void send(Wire.Frame frame, Duration within) throws IOException, Timeout, InterruptedException {
        CompletableFuture<Void> written = new CompletableFuture<>();
        Thread.ofVirtual().name(name + "-write").start(() -> {
            writing.lock();
            try {
                Wire.write(out, frame);
                written.complete(null);
            } catch (IOException | RuntimeException e) {
                written.completeExceptionally(e);
            } finally {
                writing.unlock();
            }
        });
        try {
            written.get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new Timeout("the other side did not take the frame within " + within.toMillis() / 1000.0 + " s");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        }
    }

    /** Fails every waiting call with {@code reason}; later calls fail at once with it too. */
    void end(String reason) {
        if (closed == null) {
            closed = reason;
        }
        for (Long id : pending.keySet()) {
            CompletableFuture<JsonNode> waiting = pending.remove(id);
            if (waiting != null) {
                waiting.completeExceptionally(new SandboxFailure(closed));
            }
        }
    }

    @Override
    public void close() {
        end("closed");
        try {
            out.close();
        } catch (IOException ignored) {
            // already gone
        }
    }
}
