package dev.clawless.core.arch;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.clawless.core.fixturealpha.internal.AlphaSecret;
import dev.clawless.core.fixturebeta.BetaPeeker;
import dev.clawless.core.fixturegamma.GammaServerUser;
import dev.clawless.core.fixturegamma.GammaWebUser;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * hub-core's application modules are the packages {@code dev.clawless.core.<module>}. A module's {@code internal}
 * packages are its own; others reach it through its API class or its events. Core never depends on the server or
 * the HTTP server, and modules do not form cycles.
 */
class ModuleBoundariesTest {

    private static final String CORE = "dev.clawless.core.";

    static final ArchRule NO_INTERNAL_ACCESS_ACROSS_MODULES = classes()
            .that().resideInAPackage("dev.clawless.core..")
            .should(new ArchCondition<JavaClass>("not reach into another module's internal package") {
                @Override
                public void check(JavaClass origin, ConditionEvents events) {
                    String own = module(origin.getPackageName());
                    for (Dependency d : origin.getDirectDependenciesFromSelf()) {
                        String target = d.getTargetClass().getBaseComponentType().getPackageName();
                        if (target.startsWith(CORE) && isInternal(target) && !module(target).equals(own)) {
                            events.add(SimpleConditionEvent.violated(d, d.getDescription()));
                        }
                    }
                }
            });

    static final ArchRule CORE_DOES_NOT_DEPEND_ON_THE_SERVER = noClasses()
            .that().resideInAPackage("dev.clawless.core..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.clawless.server..", "io.helidon.webserver..")
            .as("hub-core depends neither on hub-server nor on the Helidon webserver");

    static final ArchRule MODULES_ARE_FREE_OF_CYCLES = slices().matching("dev.clawless.core.(*)..")
            .should().beFreeOfCycles();

    private static JavaClasses production;

    @BeforeAll
    static void importCore() {
        production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.clawless.core");
    }

    @Test
    void modulesUseOnlyEachOthersPublicApi() {
        assertFalse(production.isEmpty());
        NO_INTERNAL_ACCESS_ACROSS_MODULES.check(production);
    }

    @Test
    void coreDependsNeitherOnTheServerNorOnTheWebServer() {
        CORE_DOES_NOT_DEPEND_ON_THE_SERVER.check(production);
    }

    @Test
    void modulesHaveNoCycles() {
        MODULES_ARE_FREE_OF_CYCLES.check(production);
    }

    @Test
    void internalAccessRuleCatchesAViolation() {
        JavaClasses fixture = new ClassFileImporter().importClasses(BetaPeeker.class, AlphaSecret.class);
        assertTrue(NO_INTERNAL_ACCESS_ACROSS_MODULES.evaluate(fixture).hasViolation());
    }

    @Test
    void serverRuleCatchesDependenciesOnHubServerAndOnTheWebServer() {
        assertTrue(CORE_DOES_NOT_DEPEND_ON_THE_SERVER
                .evaluate(new ClassFileImporter().importClasses(GammaServerUser.class)).hasViolation());
        assertTrue(CORE_DOES_NOT_DEPEND_ON_THE_SERVER
                .evaluate(new ClassFileImporter().importClasses(GammaWebUser.class)).hasViolation());
    }

    private static boolean isInternal(String pkg) {
        return pkg.contains(".internal.") || pkg.endsWith(".internal");
    }

    private static String module(String pkg) {
        if (!pkg.startsWith(CORE)) {
            return pkg;
        }
        String rest = pkg.substring(CORE.length());
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }
}
