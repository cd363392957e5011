package dev.altimeter.deploy;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module graph of docs/architecture.md, checked on the compiled main classes of every module
 * (deploy sees them all): core at the bottom, storage-postgres, collector and api each on core only,
 * deploy on top. Maven's dependencies already keep most of these apart; this test keeps them apart
 * when someone adds a dependency to a pom. Test classes are left out: the collector's and the API's
 * integration tests use PostgreSQL on purpose.
 */
class ModuleBoundariesTest {
  static final String CORE = "dev.altimeter.storage";
  static final String POSTGRES = "dev.altimeter.storage.postgres..";
  static final String COLLECTOR = "dev.altimeter.collector..";
  static final String API = "dev.altimeter.api..";
  static final String PROMQL = "dev.altimeter.promql..";
  static final String DEPLOY = "dev.altimeter.deploy..";

  static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    // DO_NOT_INCLUDE_TESTS leaves out test-classes directories only; `mvn verify` puts the other
    // modules' test-jars (kits, TestPostgres) on the classpath as jars, so leave those out too
    main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(location -> !location.contains("-tests.jar"))
        .importPackages("dev.altimeter");
  }

  @Test
  void collectorAndApiUseStoresOnlyThroughCoreNeverPostgresInternals() {
    check(noClasses().that().resideInAnyPackage(COLLECTOR, API)
        .should().dependOnClassesThat().resideInAPackage(POSTGRES)
        .because("collector and api build on core's SPIs; deploy picks the PostgreSQL implementation"));
  }

  @Test
  void apiNeverUsesTheCollector() {
    check(noClasses().that().resideInAPackage(API)
        .should().dependOnClassesThat().resideInAPackage(COLLECTOR)
        .because("the query API runs without the collector (the api role)"));
  }

  @Test
  void coreUsesNoOtherModule() {
    check(noClasses().that().resideInAPackage(CORE)
        .should().dependOnClassesThat().resideInAnyPackage(POSTGRES, COLLECTOR, API, PROMQL, DEPLOY)
        .because("core is what every module builds on"));
  }

  @Test
  void postgresStoresUseNeitherCollectorNorApi() {
    check(noClasses().that().resideInAPackage(POSTGRES)
        .should().dependOnClassesThat().resideInAnyPackage(COLLECTOR, API, PROMQL, DEPLOY)
        .because("storage-postgres implements core's SPIs and nothing else"));
  }

  /** A rule that finds no class at all would pass vacuously: a moved package must fail here, not pass. */
  private static void check(ArchRule rule) {
    rule.allowEmptyShould(false).check(main);
  }
}
