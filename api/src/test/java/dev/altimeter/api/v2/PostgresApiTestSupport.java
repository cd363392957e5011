package dev.altimeter.api.v2;

import dev.altimeter.storage.EventStore;
import dev.altimeter.storage.SampleStore;
import dev.altimeter.storage.TestPostgres;
import dev.altimeter.storage.TokenStore;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.TestPropertySource;

/**
 * {@link ApiTestSupport} with the test PostgreSQL's stores in place of the in-memory ones: for the
 * tests that need its token store (the token mode, ConsoleTest), AuthorizationMatrixTest, which
 * calls every route once against the real stores, and ApiFuzzTest, whose hostile values are meant
 * for the SQL (and which creates tokens). Every test starts with empty tables.
 */
@Import(PostgresApiTestSupport.PostgresStores.class)
@TestPropertySource(properties = {"logging.level.io.zonky=WARN", "logging.level.org.flywaydb=WARN"})
abstract class PostgresApiTestSupport extends ApiTestSupport {
  /** Primary: the API, and ApiTestApplication's SampleConsumer, take these over the in-memory stores. */
  @TestConfiguration
  static class PostgresStores {
    @Bean
    @Primary
    SampleStore postgresSampleStore() {
      return TestPostgres.storage().store();
    }

    @Bean
    @Primary
    EventStore postgresEventStore() {
      return TestPostgres.storage().eventStore();
    }

    @Bean
    @Primary
    TokenStore postgresTokenStore() {
      return TestPostgres.storage().tokens();
    }
  }

  @Override
  void empty() {
    TestPostgres.truncate();
  }
}
