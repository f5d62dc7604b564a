/**
 * What the nodes of one hub share when {@code clawless.redis.url} is set: the Redis connection and its health, token
 * buckets counted across nodes, and the messages one node sends the others (live deltas, new-event nudges,
 * invalidations). Without Redis every node works alone, as it always did.
 */
package dev.clawless.server.cluster;
