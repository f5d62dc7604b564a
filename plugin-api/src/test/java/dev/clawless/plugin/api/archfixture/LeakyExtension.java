package dev.clawless.plugin.api.archfixture;

import com.tngtech.archunit.core.domain.JavaClass;

/** Test fixture: a plugin-api class that depends on a third-party library, which the boundary rule must reject. */
public final class LeakyExtension {

    public String describe(JavaClass type) {
        return type.getName();
    }
}
