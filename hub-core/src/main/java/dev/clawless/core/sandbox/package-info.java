/**
 * What every sandbox of the hub shares: control groups for its limits ({@code Cgroups}), and its one way to the
 * network ({@code Egress}, the hub's guarded HTTP proxy on the sandbox's own Unix socket, and
 * {@code EgressForwarder}, its loopback end inside the sandbox). Plugin sandboxes ({@code marketplace.sandbox}) and
 * workspaces ({@code workspace}) use them.
 */
package dev.clawless.core.sandbox;
