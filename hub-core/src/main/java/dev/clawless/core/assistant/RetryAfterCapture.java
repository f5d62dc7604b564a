package dev.clawless.core.assistant;

import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * Hands a provider's {@code Retry-After} header to the call that received it. langchain4j turns an HTTP error into
 * an exception with the status and body only, so the provider's JDK HTTP client is this wrapper: it notes the header
 * of an error response (in seconds) in the slot the calling thread opened with {@link #open()} before it called the
 * model (langchain4j sends the request on the calling thread). Nothing else about the request or response changes.
 */
final class RetryAfterCapture {

    private static final ThreadLocal<AtomicLong> SLOT = new ThreadLocal<>();

    private RetryAfterCapture() {
    }

    /** A slot for the next request sent on this thread; {@link Slot#close()} detaches it. */
    static Slot open() {
        Slot slot = new Slot(new AtomicLong(-1));
        SLOT.set(slot.seconds);
        return slot;
    }

    /** The {@code Retry-After} one request received, if it was an error with the header in seconds. */
    record Slot(AtomicLong seconds) implements AutoCloseable {
        OptionalLong retryAfter() {
            long s = seconds.get();
            return s < 0 ? OptionalLong.empty() : OptionalLong.of(s);
        }

        @Override
        public void close() {
            SLOT.remove();
        }
    }

    /** A JDK HTTP client builder whose clients note {@code Retry-After}; give it to langchain4j's JDK client. */
    static HttpClient.Builder builder() {
        return new Builder(HttpClient.newBuilder());
    }

    static OptionalLong seconds(HttpResponse<?> response) {
        if (response.statusCode() < 400) {
            return OptionalLong.empty();
        }
        Optional<String> header = response.headers().firstValue("retry-after");
        if (header.isEmpty() || !header.get().trim().matches("\\d{1,9}")) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(header.get().trim()));
    }

    private record Builder(HttpClient.Builder delegate) implements HttpClient.Builder {
        @Override
        public HttpClient.Builder cookieHandler(CookieHandler h) {
            delegate.cookieHandler(h);
            return this;
        }

        @Override
        public HttpClient.Builder connectTimeout(Duration d) {
            delegate.connectTimeout(d);
            return this;
        }

        @Override
        public HttpClient.Builder sslContext(SSLContext c) {
            delegate.sslContext(c);
            return this;
        }

        @Override
        public HttpClient.Builder sslParameters(SSLParameters p) {
            delegate.sslParameters(p);
            return this;
        }

        @Override
        public HttpClient.Builder executor(Executor e) {
            delegate.executor(e);
            return this;
        }

        @Override
        public HttpClient.Builder followRedirects(HttpClient.Redirect r) {
            delegate.followRedirects(r);
            return this;
        }

        @Override
        public HttpClient.Builder version(HttpClient.Version v) {
            delegate.version(v);
            return this;
        }

        @Override
        public HttpClient.Builder priority(int p) {
            delegate.priority(p);
            return this;
        }

        @Override
        public HttpClient.Builder proxy(ProxySelector p) {
            delegate.proxy(p);
            return this;
        }

        @Override
        public HttpClient.Builder authenticator(Authenticator a) {
            delegate.authenticator(a);
            return this;
        }

        @Override
        public HttpClient build() {
            return new Client(delegate.build());
        }
    }

    private static final class Client extends HttpClient {
        private final HttpClient delegate;

        Client(HttpClient delegate) {
            this.delegate = delegate;
        }

        @Override
        public Optional<CookieHandler> cookieHandler() {
            return delegate.cookieHandler();
        }

        @Override
        public Optional<Duration> connectTimeout() {
            return delegate.connectTimeout();
        }

        @Override
        public Redirect followRedirects() {
            return delegate.followRedirects();
        }

        @Override
        public Optional<ProxySelector> proxy() {
            return delegate.proxy();
        }

        @Override
        public SSLContext sslContext() {
            return delegate.sslContext();
        }

        @Override
        public SSLParameters sslParameters() {
            return delegate.sslParameters();
        }

        @Override
        public Optional<Authenticator> authenticator() {
            return delegate.authenticator();
        }

        @Override
        public Version version() {
            return delegate.version();
        }

        @Override
        public Optional<Executor> executor() {
            return delegate.executor();
        }

        @Override
        public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
                throws IOException, InterruptedException {
            return note(SLOT.get(), delegate.send(request, handler));
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
                                                                HttpResponse.BodyHandler<T> handler) {
            AtomicLong slot = SLOT.get();
            return delegate.sendAsync(request, handler).thenApply(r -> note(slot, r));
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
                                                                HttpResponse.BodyHandler<T> handler,
                                                                HttpResponse.PushPromiseHandler<T> push) {
            AtomicLong slot = SLOT.get();
            return delegate.sendAsync(request, handler, push).thenApply(r -> note(slot, r));
        }

        private static <T> HttpResponse<T> note(AtomicLong slot, HttpResponse<T> response) {
            if (slot != null) {
                seconds(response).ifPresent(slot::set);
            }
            return response;
        }

        @Override
        public void shutdown() {
            delegate.shutdown();
        }

        @Override
        public void shutdownNow() {
            delegate.shutdownNow();
        }

        @Override
        public boolean awaitTermination(Duration d) throws InterruptedException {
            return delegate.awaitTermination(d);
        }

        @Override
        public boolean isTerminated() {
            return delegate.isTerminated();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
