package dev.clawless.plugin.api;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

import dev.clawless.plugin.api.archfixture.LeakyExtension;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * plugin-api is what third-party plugins compile against: it may use the JDK and pf4j, nothing else.
 */
class PluginApiBoundaryTest {

    static final ArchRule ONLY_JDK_AND_PF4J = classes()
            .that().resideInAPackage("dev.clawless.plugin.api..")
            .should().onlyDependOnClassesThat()
            .resideInAnyPackage("java..", "javax..", "org.pf4j..", "dev.clawless.plugin.api..", "")
            .as("plugin-api depends on the JDK and pf4j only");

    @Test
    void pluginApiDependsOnTheJdkAndPf4jOnly() {
        JavaClasses production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.clawless.plugin.api");
        assertTrue(production.contain(PluginApi.class), "the production classes were imported");
        ONLY_JDK_AND_PF4J.check(production);
    }

    @Test
    void theRuleCatchesAForbiddenDependency() {
        JavaClasses fixture = new ClassFileImporter().importClasses(LeakyExtension.class);
        assertTrue(ONLY_JDK_AND_PF4J.evaluate(fixture).hasViolation(),
                "a plugin-api class using a third-party library must violate the rule");
    }
}
