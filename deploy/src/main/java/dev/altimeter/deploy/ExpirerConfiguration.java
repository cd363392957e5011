package dev.altimeter.deploy;

import dev.altimeter.storage.postgres.PostgresStorage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The {@code expirer} role: every {@code altimeter.expirer.interval}, drops the daily sample
 * partitions older than {@code sample-ttl}, the rollup partitions older than their level's retention
 * in {@code altimeter.store.archive-policy} (e.g. {@code 1m:30d}), and deletes events older than
 * {@code event-ttl}. Run it in one process only (the chart runs a single expirer). Failures are
 * logged and retried next time.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnRole(AltimeterProperties.Role.EXPIRER)
class ExpirerConfiguration {
  private static final Logger LOG = LoggerFactory.getLogger(ExpirerConfiguration.class);

  @Bean(destroyMethod = "dispose")
  Disposable expirer(AltimeterProperties properties, PostgresStorage storage, MeterRegistry registry) {
    AltimeterProperties.Expirer p = properties.getExpirer();
    boolean rollups = storage.store().archivePolicy().levels().stream().anyMatch(l -> l.retention() != null);
    if (p.getSampleTtl() == null && p.getEventTtl() == null && !rollups) {
      LOG.info("Expirer role: nothing to expire (altimeter.expirer.sample-ttl and event-ttl unset, every level of"
          + " altimeter.store.archive-policy forever: keep forever)");
      return () -> { };
    }
    Counter partitions = Counter.builder("altimeter.expirer.partitions.dropped")
        .description("Daily sample partitions dropped by retention").register(registry);
    Counter spans = Counter.builder("altimeter.expirer.rollup.partitions.dropped")
        .description("Rollup partitions (spans of one archive-policy level) dropped by retention").register(registry);
    Counter events = Counter.builder("altimeter.expirer.events.deleted")
        .description("Events deleted by retention").register(registry);
    Clock clock = Clock.systemUTC();
    return Flux.interval(Duration.ZERO, p.getInterval())
        .onBackpressureDrop() // a run longer than the interval skips ticks instead of ending the schedule
        .concatMap(tick -> {
          Instant now = clock.instant();
          Mono<Void> samples = p.getSampleTtl() == null ? Mono.empty()
              : storage.store().expire(now.minus(p.getSampleTtl())).doOnNext(days -> {
                partitions.increment(days.size());
                if (!days.isEmpty()) LOG.info("Expirer: dropped sample partitions of {}", days);
              }).then();
          Mono<Void> buckets = !rollups ? Mono.empty()
              : storage.store().expireRollups(now).doOnNext(names -> {
                spans.increment(names.size());
                if (!names.isEmpty()) LOG.info("Expirer: dropped rollup partitions {}", names);
              }).then();
          Mono<Void> old = p.getEventTtl() == null ? Mono.empty()
              : storage.eventStore().expire(now.minus(p.getEventTtl())).doOnNext(events::increment).then();
          return samples.then(buckets).then(old).onErrorResume(e -> {
            LOG.warn("Expirer run failed; retrying in {}: {}", p.getInterval(), e.toString());
            return Mono.empty();
          });
        })
        .subscribe();
  }
}
