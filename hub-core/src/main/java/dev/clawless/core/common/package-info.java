/**
 * Shared kernel of the hub's application modules: the error family, ids and paging. It depends on no module.
 */
package dev.clawless.core.common;
