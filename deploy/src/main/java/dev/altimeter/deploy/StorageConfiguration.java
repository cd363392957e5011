package dev.altimeter.deploy;

import dev.altimeter.storage.ArchivePolicy;
import dev.altimeter.storage.EventStore;
import dev.altimeter.storage.SampleStore;
import dev.altimeter.storage.TokenStore;
import dev.altimeter.storage.postgres.PostgresStorage;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.r2dbc.pool.PoolMetrics;
import io.r2dbc.spi.Connection;
import java.time.Duration;
import java.util.function.ToDoubleFunction;
import org.springframework.beans.factory.annotation.Value;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The PostgreSQL store: the server of {@code spring.r2dbc.url} when set, otherwise an embedded one
 * under {@code altimeter.data-dir}. Starting it blocks (process start, migrations); that happens
 * once, on the main thread, before the HTTP server accepts requests. Only in a process that needs
 * it ({@link ConditionalOnStore}): a polling agent publishing elsewhere has no store, no pool and no
 * migrations (Spring Boot's own R2DBC and Flyway auto-configuration is not on the class path:
 * Boot 4 ships it in spring-boot-r2dbc and spring-boot-flyway, which the service does not depend on).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnStore
class StorageConfiguration {
  private static final Logger LOG = LoggerFactory.getLogger(StorageConfiguration.class);

  @Bean(destroyMethod = "close")
  PostgresStorage postgresStorage(AltimeterProperties properties, Environment environment,
      @Value("${spring.r2dbc.url:}") String url,
      @Value("${spring.r2dbc.username:#{null}}") String username,
      @Value("${spring.r2dbc.password:#{null}}") String password) {
    LOG.info("Store: {}; needed by {}", url.isBlank() ? "embedded PostgreSQL under " + properties.getDataDir() : url,
        ConditionalOnStore.StoreCondition.reason(environment));
    return PostgresStorage.start(new PostgresStorage.Config(url, username, password, properties.getDataDir(),
        properties.getEmbedded().getPort(), properties.getStore().getMaxConnections(),
        properties.getEmbedded().getStartupWait(), true,
        ArchivePolicy.parse("altimeter.store.archive-policy", properties.getStore().getArchivePolicy())));
  }

  @Bean
  SampleStore sampleStore(PostgresStorage storage) {
    return storage.store();
  }

  /** The API's bearer tokens (token mode). */
  @Bean
  TokenStore tokenStore(PostgresStorage storage) {
    return storage.tokens();
  }

  @Bean
  EventStore eventStore(PostgresStorage storage) {
    return storage.eventStore();
  }

  /** Creates the coming days' sample partitions every hour (they are also created on demand). */
  @Bean(destroyMethod = "dispose")
  Disposable partitionMaintenance(PostgresStorage storage) {
    return Flux.interval(Duration.ofHours(1), Duration.ofHours(1))
        .onBackpressureDrop()
        .concatMap(tick -> storage.maintain().onErrorResume(e -> Mono.empty()))
        .subscribe();
  }

  /** Readiness: the store answers a query. */
  @Bean
  ReactiveHealthIndicator storeHealthIndicator(PostgresStorage storage) {
    return () -> Mono.usingWhen(storage.connectionFactory().create(),
            (Connection c) -> Flux.from(c.createStatement("SELECT 1").execute())
                .flatMap(r -> r.map(row -> 1)).then(Mono.just(Health.up().withDetail("database", storage.description()).build())),
            Connection::close)
        // within the probe's timeout (3 s in the chart): a store too busy to answer is "not ready" in time, not a timeout
        .timeout(Duration.ofSeconds(2))
        .onErrorResume(e -> Mono.just(Health.down(e).build()));
  }

  /**
   * The store's connection pool, under the names Spring Boot gives pools it builds itself
   * ({@code r2dbc_pool_*_connections{name="altimeter-store"}}): the store builds its own pool, which
   * Boot's auto-configuration does not see. The dashboard and the pool alert read these.
   */
  @Bean
  MeterBinder storeConnectionPoolMetrics(PostgresStorage storage) {
    return registry -> storage.connectionFactory().getMetrics().ifPresent(pool -> {
      Tags tags = Tags.of("name", "altimeter-store");
      poolGauge(registry, "acquired", tags, pool, PoolMetrics::acquiredSize, "Connections in use");
      poolGauge(registry, "allocated", tags, pool, PoolMetrics::allocatedSize, "Connections open");
      poolGauge(registry, "idle", tags, pool, PoolMetrics::idleSize, "Connections open and not in use");
      poolGauge(registry, "pending", tags, pool, PoolMetrics::pendingAcquireSize, "Acquisitions waiting for a connection");
      poolGauge(registry, "max.allocated", tags, pool, PoolMetrics::getMaxAllocatedSize, "The pool's size limit");
    });
  }

  /**
   * Without the store, readiness (whose group names {@code store}) says so instead of failing the
   * group's membership check: {@code UNKNOWN}, which does not pull the group below {@code UP}.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnStore(false)
  static class Absent {
    @Bean
    HealthIndicator storeHealthIndicator(AltimeterProperties properties) {
      LOG.info("Store: not started, {} (roles {})", ConditionalOnStore.StoreCondition.NOT_NEEDED, properties.getRoles());
      Health absent = Health.unknown().withDetail("database", "none: " + ConditionalOnStore.StoreCondition.NOT_NEEDED)
          .build();
      return () -> absent;
    }
  }

  private static void poolGauge(MeterRegistry registry, String name, Tags tags, PoolMetrics pool,
      ToDoubleFunction<PoolMetrics> value, String description) {
    Gauge.builder("r2dbc.pool." + name, pool, value).tags(tags).baseUnit("connections")
        .description(description).register(registry);
  }
}
