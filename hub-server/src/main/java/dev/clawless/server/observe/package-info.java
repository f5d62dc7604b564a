/** Operations endpoints: health checks and Prometheus metrics. */
package dev.clawless.server.observe;
