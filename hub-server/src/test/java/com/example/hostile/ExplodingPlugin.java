package com.example.hostile;

import org.pf4j.Plugin;

/** A plugin whose start fails, as one that cannot reach its licence server would. Packaged into a JAR by tests. */
public class ExplodingPlugin extends Plugin {

    @Override
    public void start() {
        throw new IllegalStateException("boom: the licence server is unreachable");
    }
}
