package dev.clawless.server.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;

import dev.clawless.core.common.ClawlessException;

/**
 * The hub's route table. Every route is added here, then registered with Helidon; the table also answers 404 and
 * 405 (with {@code Allow}) for requests no route takes, labels metrics and access logs with the route template, and
 * is what the OpenAPI document is checked against.
 */
public final class Routes {

    /** One route: method, path template ({@code /admin/tenants/{id}}) and handler. */
    public record Route(Method method, String template, Pattern pattern, Handler handler) {
    }

    private final List<Route> routes = new ArrayList<>();

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
        String regex = Pattern.quote(template).replaceAll("\\{[a-zA-Z_]+}", "\\\\E[^/]+\\\\Q");
        routes.add(new Route(method, template, Pattern.compile(regex), handler));
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
        return routes.stream().filter(r -> r.pattern().matcher(path).matches()).map(r -> r.method().text())
                .distinct().toList();
    }

    /** The template of the routes that take {@code path} (whatever the method), for labelling metrics and logs. */
    public Optional<String> template(String path) {
        return routes.stream().filter(r -> r.pattern().matcher(path).matches()).map(Route::template).findFirst();
    }

    private static String shorten(String path) {
        String printable = path.replaceAll("[^\\x21-\\x7e]", "?");
        return printable.length() <= 200 ? printable : printable.substring(0, 200) + "…";
    }
}
