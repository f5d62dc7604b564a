/**
 * Tools the assistant can call: the registry of built-in and plugin tools, approval gating of mutating calls, the
 * tool-call log, and the network guard every outbound tool request passes. {@link dev.clawless.core.tool.ToolRegistry}
 * and {@link dev.clawless.core.tool.Approvals} are the module's API.
 */
package dev.clawless.core.tool;
