/** The HTTP API's routes: admin, tenant, and operations. Each class registers its routes in the route table. */
package dev.clawless.server.api;
