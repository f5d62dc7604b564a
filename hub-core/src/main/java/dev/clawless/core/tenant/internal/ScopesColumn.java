package dev.clawless.core.tenant.internal;

import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

import dev.clawless.core.tenant.Scope;

/** Scopes as stored: their wire names, sorted, separated by spaces. */
final class ScopesColumn {

    private ScopesColumn() {
    }

    static String write(Set<Scope> scopes) {
        return scopes.stream().sorted().map(Scope::wire).collect(Collectors.joining(" "));
    }

    static Set<Scope> read(String stored) {
        EnumSet<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String part : stored.trim().split(" +")) {
            Scope.fromWire(part).ifPresent(scopes::add);
        }
        return scopes;
    }
}
