package dev.clawless.server.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;

import dev.clawless.core.common.ClawlessException;

/**
 * The hub's route table. Every route is added here, then registered with Helidon; the table also answers 404 and
 * 405 (with {@code Allow}) for requests no route takes, labels metrics and access logs with the route template, and
 * is what the OpenAPI document is checked against. Every GET route answers HEAD too.
 */
public final class Routes {

    /** One route: method, path template ({@code /admin/tenants/{id}}) and handler. */
    public record Route(Method method, String template, Pattern pattern, Handler handler) {
    }

    private final List<Route> routes = new ArrayList<>();
    /**
     * The routes by their template's first segment ({@code v1}, {@code hooks}…), each with its segments (null for a
     * variable): labelling a request compares a few strings instead of running every route's pattern (a webhook's
     * template was the 150th pattern tried).
     */
    private final Map<String, List<Compiled>> byFirstSegment = new HashMap<>();

    private record Compiled(Route route, String[] segments) {

        /** Whether {@code path} has as many segments, each equal to the literal or, for a variable, not empty. */
        boolean matches(String path) {
            int n = path.length();
            int pos = 0;
            for (String segment : segments) {
                if (pos >= n || path.charAt(pos) != '/') {
                    return false;
                }
                int start = pos + 1;
                int end = path.indexOf('/', start);
                end = end < 0 ? n : end;
                if (segment == null ? end == start
                        : end - start != segment.length() || !path.regionMatches(start, segment, 0, segment.length())) {
                    return false;
                }
                pos = end;
            }
            return pos == n;
        }
    }

    public Routes get(String template, Handler handler) {
        return add(Method.GET, template, handler);
    }

    public Routes post(String template, Handler handler) {
        return add(Method.POST, template, handler);
    }

    public Routes put(String template, Handler handler) {
        return add(Method.PUT, template, handler);
    }

    public Routes patch(String template, Handler handler) {
        return add(Method.PATCH, template, handler);
    }

    public Routes delete(String template, Handler handler) {
        return add(Method.DELETE, template, handler);
    }

    public Routes add(Method method, String template, Handler handler) {
        if (!template.startsWith("/") || !template.matches("(/([^/{}]*|\\{[a-zA-Z_]+}))+")) {
            throw new IllegalArgumentException("a route template is /segment/{variable}/…: " + template);
        }
        String regex = Pattern.quote(template).replaceAll("\\{[a-zA-Z_]+}", "\\\\E[^/]+\\\\Q");
        Route route = new Route(method, template, Pattern.compile(regex), handler);
        routes.add(route);
        String[] segments = template.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            segments[i] = segments[i].startsWith("{") ? null : segments[i];
        }
        byFirstSegment.computeIfAbsent(segments[0] == null ? "{}" : segments[0], k -> new ArrayList<>())
                .add(new Compiled(route, segments));
        return this;
    }

    public List<Route> all() {
        return List.copyOf(routes);
    }

    /** Registers every route, then a last handler that answers 405 or 404. */
    public void registerInto(HttpRouting.Builder routing) {
        for (Route route : routes) {
            routing.route(route.method(), route.template(), route.handler());
        }
        // HEAD wherever GET: the same handler, whose body the server does not send (RFC 9110, 9.3.2)
        for (Route route : routes) {
            if (route.method() == Method.GET && routes.stream().noneMatch(r -> r.method() == Method.HEAD
                    && r.template().equals(route.template()))) {
                routing.route(Method.HEAD, route.template(), HeadResponse.of(route.handler()));
            }
        }
        routing.any((req, res) -> {
            String path = req.path().path();
            List<String> allowed = allowedMethods(path);
            if (!allowed.isEmpty()) {
                throw new ClawlessException.MethodNotAllowed(req.prologue().method().text() + " is not allowed on "
                        + "this route; allowed: " + String.join(", ", allowed), allowed);
            }
            throw new ClawlessException.NotFound("no route " + req.prologue().method().text() + " "
                    + shorten(path));
        });
    }

    private List<String> allowedMethods(String path) {
        List<String> methods = new ArrayList<>(candidates(path).stream().filter(c -> c.matches(path))
                .map(c -> c.route().method().text()).distinct().toList());
        if (methods.contains("GET") && !methods.contains("HEAD")) {
            methods.add(methods.indexOf("GET") + 1, "HEAD");
        }
        return methods;
    }

    /** The routes that may take {@code path}: those of its first segment, then any whose first is a variable. */
    private List<Compiled> candidates(String path) {
        int end = path.indexOf('/', 1);
        String first = path.isEmpty() ? "" : path.substring(1, end < 0 ? path.length() : end);
        List<Compiled> named = byFirstSegment.getOrDefault(first, List.of());
        List<Compiled> variable = byFirstSegment.getOrDefault("{}", List.of());
        if (variable.isEmpty()) {
            return named;
        }
        List<Compiled> all = new ArrayList<>(named);
        all.addAll(variable);
        return all;
    }

    /** The template of the routes that take {@code path} (whatever the method), for labelling metrics and logs. */
    public Optional<String> template(String path) {
        for (Compiled c : candidates(path)) {
            if (c.matches(path)) {
                return Optional.of(c.route().template());
            }
        }
        return Optional.empty();
    }

    private static String shorten(String path) {
        String printable = path.replaceAll("[^\\x21-\\x7e]", "?");
        return printable.length() <= 200 ? printable : printable.substring(0, 200) + "…";
    }
}
