package dev.clawless.core.marketplace.sandbox;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/** The bytes of a request body, whatever publisher built it, read up to {@link Wire#MAX_FRAME}. */
final class BodyBytes implements Flow.Subscriber<ByteBuffer> {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> done = new CompletableFuture<>();

    private BodyBytes() {
    }

    static byte[] of(HttpRequest.BodyPublisher publisher) {
        BodyBytes bytes = new BodyBytes();
        publisher.subscribe(bytes);
        try {
            return bytes.done.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalArgumentException("the request body cannot be read: " + e.getMessage());
        }
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(ByteBuffer item) {
        if (out.size() + item.remaining() > Wire.MAX_FRAME / 2) {
            done.completeExceptionally(new IllegalArgumentException("the request body is too large"));
            return;
        }
        byte[] b = new byte[item.remaining()];
        item.get(b);
        out.writeBytes(b);
    }

    @Override
    public void onError(Throwable throwable) {
        done.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        done.complete(out.toByteArray());
    }
}
