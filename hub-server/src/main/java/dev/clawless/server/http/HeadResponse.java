package dev.clawless.server.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import io.helidon.common.GenericType;
import io.helidon.common.uri.UriQuery;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.ServerResponseTrailers;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http.spi.Sink;

/**
 * The response a GET handler writes when it serves a HEAD request: the same status and headers, a {@code
 * Content-Length} equal to the body GET would have sent, and no body (RFC 9110, 9.3.2). Helidon itself writes a
 * handler's body whatever the method. A streaming handler (server-sent events) gets its headers sent and its first
 * write refused, which ends it as a client that went away would.
 */
final class HeadResponse implements ServerResponse {

    private final ServerResponse delegate;

    private HeadResponse(ServerResponse delegate) {
        this.delegate = delegate;
    }

    /** {@code handler} run for HEAD: with a response that sends no body. */
    static Handler of(Handler handler) {
        return (req, res) -> handler.handle(req, new HeadResponse(res));
    }

    private void sendLength(long length) {
        delegate.header(HeaderNames.CONTENT_LENGTH, Long.toString(length));
        delegate.send();
    }

    @Override
    public ServerResponse status(Status status) {
        delegate.status(status);
        return this;
    }

    @Override
    public Status status() {
        return delegate.status();
    }

    @Override
    public ServerResponse header(Header header) {
        delegate.header(header);
        return this;
    }

    @Override
    public void send() {
        sendLength(0);
    }

    @Override
    public void send(byte[] bytes) {
        sendLength(bytes.length);
    }

    @Override
    public void send(byte[] bytes, int position, int length) {
        sendLength(length);
    }

    @Override
    public void send(Object entity) {
        switch (entity) {
            case byte[] b -> sendLength(b.length);
            case String s -> sendLength(s.getBytes(StandardCharsets.UTF_8).length);
            default -> delegate.send(); // an entity only a media writer could measure: headers alone
        }
    }

    @Override
    public boolean isSent() {
        return delegate.isSent();
    }

    @Override
    public OutputStream outputStream() {
        // a body of declared length (a download) is written into nothing; a stream without one (events) is ended
        boolean bounded = delegate.headers().contains(HeaderNames.CONTENT_LENGTH);
        delegate.send();
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (len > 0 && !bounded) {
                    throw new IOException("a HEAD request takes no body");
                }
            }
        };
    }

    @Override
    public long bytesWritten() {
        return delegate.bytesWritten();
    }

    @Override
    public ServerResponse whenSent(Runnable listener) {
        delegate.whenSent(listener);
        return this;
    }

    @Override
    public ServerResponse reroute(String newPath) {
        delegate.reroute(newPath);
        return this;
    }

    @Override
    public ServerResponse reroute(String path, UriQuery query) {
        delegate.reroute(path, query);
        return this;
    }

    @Override
    public ServerResponse next() {
        delegate.next();
        return this;
    }

    @Override
    public ServerResponseHeaders headers() {
        return delegate.headers();
    }

    @Override
    public ServerResponseTrailers trailers() {
        return delegate.trailers();
    }

    @Override
    public ServerResponse beforeTrailers(Consumer<ServerResponseTrailers> trailersConsumer) {
        delegate.beforeTrailers(trailersConsumer);
        return this;
    }

    @Override
    public void streamResult(String result) {
        delegate.streamResult(result);
    }

    @Override
    public <T extends Sink<?>> T sink(GenericType<T> sinkType) {
        throw new UnsupportedOperationException("the hub's streams write to outputStream()");
    }

    @Override
    public void streamFilter(UnaryOperator<OutputStream> filterFunction) {
        delegate.streamFilter(filterFunction);
    }
}
