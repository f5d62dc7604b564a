package dev.clawless.plugin.api;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;

/**
 * What a tool call may use: only what its installation was granted. Valid for the duration of one call.
 */
public interface ToolContext {

    /** The tenant the call runs for. */
    String tenantId();

    /** The conversation the call runs in, if any. */
    Optional<String> conversationId();

    /** The installation's validated config. */
    Map<String, String> config();

    /** A secret granted to the installation, by name. */
    Optional<String> secret(String name);

    /** A logger whose records carry the tenant and tool; never log secrets through it. */
    System.Logger logger();

    /**
     * Sends an HTTP request on the tool's behalf. Only hosts the plugin declared are allowed, and loopback, private,
     * link-local and cloud-metadata addresses are refused after DNS resolution.
     *
     * @throws IOException       when the request fails
     * @throws SecurityException when the host is not allowed
     */
    HttpResponse<byte[]> http(HttpRequest request) throws IOException, InterruptedException;
}
