/**
 * HTTP conventions shared by every route: request ids, authentication once per request, problem+json errors, body
 * limits and typed JSON input, the route table (404/405, metric labels, the OpenAPI check) and JSON output.
 */
package dev.clawless.server.http;
