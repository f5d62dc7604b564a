package dev.clawless.core.common;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Jackson set up for virtual threads. By default Jackson keeps its read and write buffers (about 24 KB) in a thread
 * local of each thread that used it; the hub serves each connection on its own virtual thread, so a long-lived answer
 * (an event stream) keeps them for its whole life after authenticating once, and short requests only allocate them
 * afresh. Mappers built here take buffers from one bounded pool shared by every thread instead.
 */
public final class JsonMappers {

    private JsonMappers() {
    }

    /** A plain mapper whose buffers come from the shared pool. */
    public static ObjectMapper create() {
        return new ObjectMapper(factory());
    }

    /** A mapper builder whose buffers come from the shared pool, for mappers with features of their own. */
    public static JsonMapper.Builder builder() {
        return JsonMapper.builder(factory());
    }

    private static JsonFactory factory() {
        // one factory per mapper (a mapper makes itself its factory's codec), one pool for all
        return JsonFactory.builder().recyclerPool(JsonRecyclerPools.sharedBoundedPool()).build();
    }
}
