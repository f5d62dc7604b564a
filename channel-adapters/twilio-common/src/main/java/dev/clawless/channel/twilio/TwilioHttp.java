package dev.clawless.channel.twilio;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.twilio.http.NetworkHttpClient;
import com.twilio.http.Request;
import com.twilio.http.Response;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.util.Timeout;

/**
 * The Twilio SDK's HTTP client, made fit for a delivery job: requests go to the connection's {@code api_base_url}
 * (Twilio has no base-URL setting), nothing is retried or slept on inside the SDK (the job queue retries, honouring
 * {@code Retry-After}), reads time out, and the last raw response of the calling thread stays readable so the
 * {@code Retry-After} header survives the SDK's exception.
 */
public final class TwilioHttp extends NetworkHttpClient {

    private static final Pattern TWILIO_ORIGIN = Pattern.compile("^https://[a-z0-9.-]+\\.twilio\\.com");

    private final Optional<String> baseUrl;
    private final ThreadLocal<Response> last = new ThreadLocal<>();

    public TwilioHttp(Optional<String> baseUrl) {
        super(HttpClientBuilder.create()
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDefaultSocketConfig(SocketConfig.custom().setSoTimeout(Timeout.ofSeconds(30)).build())
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.ofSeconds(10))
                                .build())
                        .setMaxConnPerRoute(20).setMaxConnTotal(100).build()));
        this.baseUrl = baseUrl.map(b -> b.replaceAll("/+$", ""));
    }

    @Override
    public Response reliableRequest(Request request) {
        return super.reliableRequest(request, new int[0], 1, 0L);
    }

    @Override
    public Response makeRequest(Request request) {
        last.remove();
        Response r = super.makeRequest(baseUrl.map(b -> rewrite(request, b)).orElse(request));
        last.set(r);
        return r;
    }

    /** The calling thread's last response: its HTTP status and headers. */
    public Optional<Response> lastResponse() {
        return Optional.ofNullable(last.get());
    }

    public Optional<String> lastHeader(String name) {
        return lastResponse().flatMap(r -> {
            if (r.getHeaders() == null) {
                return Optional.empty();
            }
            for (Header h : r.getHeaders()) {
                if (h.getName().equalsIgnoreCase(name)) {
                    return Optional.of(h.getValue());
                }
            }
            return Optional.empty();
        });
    }

    private static Request rewrite(Request in, String base) {
        String url = in.getUrl();
        String moved = TWILIO_ORIGIN.matcher(url).replaceFirst(Matcher.quoteReplacement(base));
        if (moved.equals(url)) {
            return in;
        }
        Request out = new Request(in.getMethod(), moved);
        if (in.getUsername() != null) {
            out.setAuth(in.getUsername(), in.getPassword());
        } else if (in.getAuthStrategy() != null) {
            out.setAuth(in.getAuthStrategy());
        }
        out.setContentType(in.getContentType());
        out.setBody(in.getBody());
        out.setFormParameters(in.getFormParameters());
        out.setUserAgentExtensions(in.getUserAgentExtensions());
        copy(in.getPostParams(), out::addPostParam);
        copy(in.getQueryParams(), out::addQueryParam);
        copy(in.getHeaderParams(), out::addHeaderParam);
        return out;
    }

    private static void copy(Map<String, List<String>> from, BiConsumer<String, String> to) {
        from.forEach((k, vs) -> vs.forEach(v -> to.accept(k, v)));
    }
}
