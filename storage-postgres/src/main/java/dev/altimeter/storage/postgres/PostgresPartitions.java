package dev.altimeter.storage.postgres;

import dev.altimeter.storage.ArchivePolicy;
import dev.altimeter.storage.Sample;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.R2dbcException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The partition maintenance of the sample store: the daily partitions of {@code sample}
 * ({@code sample_yyyymmdd}, one UTC day each) and the rollup spans of every level
 * ({@link RollupPartitions}) are created ahead and on demand for the days a batch falls into, and
 * dropped by retention, whole tables at a time.
 *
 * <p>Contract. Thread-safe: the days known to have their partitions are a concurrent set and the
 * levels made are a volatile list; a day missing from the set only costs idempotent {@code CREATE
 * TABLE IF NOT EXISTS} statements (a concurrent creator's duplicate is ignored), so a stale set is
 * never wrong, only slower. Creation runs on the caller's connection outside any explicit
 * transaction; each expiry runs in one transaction of its own connection. Units: days are UTC
 * days, bounds and horizons epoch seconds, granularities seconds (0 is the raw samples). Errors of
 * the expiries are translated ({@link PostgresErrors#translate}); those of creation are left to
 * the writer, which retries.
 */
final class PostgresPartitions {
  private final ConnectionFactory connections;
  private final ArchivePolicy policy;
  /** Days whose sample partition and rollup spans are known to exist. */
  private final Set<LocalDate> partitions = ConcurrentHashMap.newKeySet();
  /**
   * The granularities the writer makes rollup partitions for: the policy's, or the database's once
   * an insert found a partition missing (the database holds another policy, or another process's
   * expirer dropped a span this one thought it had).
   */
  private volatile List<Long> rolledUp;

  PostgresPartitions(ConnectionFactory connections, ArchivePolicy policy) {
    this.connections = connections;
    this.policy = policy;
    this.rolledUp = policy.granularities();
  }

  /** The archive policy whose levels are partitioned and expired. */
  ArchivePolicy policy() {
    return policy;
  }

  /** Forgets the known days: the next batch of each day checks its partitions again. */
  void forget() {
    partitions.clear();
  }

  /** Creates, on {@code conn}, the partitions of the days of {@code samples} not known to exist. */
  Mono<Void> ensure(Connection conn, List<Sample> samples) {
    Set<LocalDate> days = new TreeSet<>();
    for (Sample s : samples) {
      // the UTC day without LocalDate.ofInstant, which builds zone rules for every call
      LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(s.timestamp().getEpochSecond(), 86_400));
      if (!partitions.contains(day)) days.add(day);
    }
    if (days.isEmpty()) return Mono.empty();
    // the rollup spans first: a day is marked known once its sample partition exists
    return PostgresRollups.createPartitions(conn, rolledUp, days)
        .thenMany(Flux.fromIterable(days).concatMap(day -> createPartition(conn, day))).then();
  }

  /** Creates the daily partitions from {@code from} for {@code days} days (idempotent). */
  Mono<Void> createAhead(LocalDate from, int days) {
    List<LocalDate> missing = new ArrayList<>();
    for (int i = 0; i < days; i++) {
      if (!partitions.contains(from.plusDays(i))) missing.add(from.plusDays(i));
    }
    return Mono.usingWhen(connections.create(), conn -> {
      return PostgresRollups.createPartitions(conn, rolledUp, missing)
          .thenMany(Flux.fromIterable(missing).concatMap(day -> createPartition(conn, day))).then();
    }, Connection::close);
  }

  /**
   * Retention of the raw samples: drops every daily partition that lies wholly before {@code
   * cutoff} (a whole day at once, never row by row), then the series whose newest sample went with
   * them, and records the start of the cutoff's day as the raw horizon (statistics before it come
   * from the rollups), all in one transaction.
   *
   * @return the days dropped, oldest first
   */
  Mono<List<LocalDate>> expire(Instant cutoff) {
    LocalDate firstKept = LocalDate.ofInstant(cutoff, ZoneOffset.UTC);
    return transaction(conn -> dropBefore(conn, "sample", 0, firstKept.toEpochDay() * RollupPartitions.DAY,
            name -> name.matches("sample_\\d{8}")
                ? LocalDate.parse(name.substring(7), DateTimeFormatter.BASIC_ISO_DATE).toEpochDay() * RollupPartitions.DAY
                : null)
        .map(name -> LocalDate.parse(name.substring(7), DateTimeFormatter.BASIC_ISO_DATE))
        .doOnNext(partitions::remove) // a late sample for that day recreates the partition
        .collectList()
        .flatMap(days -> PostgresStatements.execute(conn, "DELETE FROM series WHERE last_timestamp < $1",
                firstKept.atStartOfDay().atOffset(ZoneOffset.UTC))
            .then(PostgresStatements.execute(conn, ResourceSpans.DROP_EMPTY))
            .then(PostgresStatements.execute(conn, ResourceSpans.REFOLD))
            .thenReturn(days)));
  }

  /**
   * Retention of the rollups: per level of the archive policy that does not keep its buckets
   * forever, drops the spans (partitions) that lie wholly before {@code now} minus the level's
   * retention and records where the level now starts as its horizon, in one transaction. A level
   * keeps at most one span more than its retention.
   *
   * @return the partitions dropped
   */
  Mono<List<String>> expireRollups(Instant now) {
    return transaction(conn -> Flux.fromIterable(policy.levels())
        .filter(level -> level.retention() != null)
        .concatMap(level -> {
          long g = level.granularitySeconds();
          long keepFrom = RollupPartitions.spanStart(g, now.minus(level.retention()).getEpochSecond());
          return dropBefore(conn, RollupPartitions.level(g), g, keepFrom, name -> RollupPartitions.spanStartOf(g, name));
        })
        .collectList()
        .doOnNext(dropped -> {
          if (!dropped.isEmpty()) partitions.clear(); // spans of those days are made again by a late sample
        }));
  }

  /**
   * Drops the partitions of {@code parent} that start before {@code keepFrom} (epoch seconds; a
   * partition boundary, so those end at or before it) and raises the horizon of {@code granularity}
   * to it. {@code start} maps a partition name to its first second, or null for a name it does not
   * know (left alone).
   */
  private static Flux<String> dropBefore(Connection conn, String parent, long granularity, long keepFrom,
      Function<String, Long> start) {
    return PostgresStatements.execute(conn, "INSERT INTO retention_horizon VALUES ($1, to_timestamp($2)) ON CONFLICT (granularity)"
            + " DO UPDATE SET horizon = greatest(retention_horizon.horizon, excluded.horizon)", (int) granularity,
            (double) keepFrom)
        .thenMany(PostgresRollups.children(conn, parent))
        .filter(name -> {
          Long first = start.apply(name);
          return first != null && first < keepFrom;
        })
        .collectList() // the catalogue read ends before the first DROP
        .flatMapMany(Flux::fromIterable)
        // names come from the catalogue and matched a pattern of digits
        .concatMap(name -> PostgresStatements.execute(conn, "DROP TABLE IF EXISTS " + name).thenReturn(name));
  }

  /** Runs {@code work} in a transaction of its own connection. */
  private <T> Mono<T> transaction(Function<Connection, Mono<T>> work) {
    return Mono.usingWhen(connections.create(), conn -> Mono.from(conn.beginTransaction())
            .then(work.apply(conn))
            .flatMap(result -> Mono.from(conn.commitTransaction()).thenReturn(result))
            .onErrorResume(e -> Mono.from(conn.rollbackTransaction()).then(Mono.error(e))),
        Connection::close)
        .onErrorMap(PostgresErrors::translate);
  }

  private Mono<Void> createPartition(Connection conn, LocalDate day) {
    // identifiers and bounds come from a LocalDate, never from user text
    String name = "sample_" + day.toString().replace("-", "");
    String sql = "CREATE TABLE IF NOT EXISTS " + name + " PARTITION OF sample FOR VALUES FROM ('"
        + isoDate(day) + " 00:00:00+00') TO ('" + isoDate(day.plusDays(1)) + " 00:00:00+00')";
    return Flux.from(conn.createStatement(sql).execute()).flatMap(r -> r.getRowsUpdated()).then()
        // a concurrent writer created it first
        .onErrorResume(PostgresRollups::isDuplicate, e -> Mono.empty())
        .doOnSuccess(v -> partitions.add(day));
  }

  /** {@code 10000-01-01}, not Java's {@code +10000-01-01}: the bound after 9999-12-31 that PostgreSQL reads. */
  private static String isoDate(LocalDate day) {
    return String.format(java.util.Locale.ROOT, "%04d-%02d-%02d", day.getYear(), day.getMonthValue(), day.getDayOfMonth());
  }

  /** True when {@code e} is an insert that found no partition for a row (SQLSTATE 23514). */
  static boolean isMissingPartition(Throwable e) {
    return e instanceof R2dbcException r && "23514".equals(r.getSqlState())
        && String.valueOf(e.getMessage()).contains("no partition of relation");
  }

  /**
   * After an insert found a partition missing (another process's expirer dropped a span this store
   * thought it had, or the database rolls up levels its policy does not name): forgets the known
   * days and makes partitions for the database's levels too.
   */
  Mono<Void> relearn() {
    return Mono.usingWhen(connections.create(), PostgresRollups::registered, Connection::close)
        .doOnNext(levels -> {
          Set<Long> all = new TreeSet<>(policy.granularities());
          all.addAll(levels);
          rolledUp = List.copyOf(all);
          partitions.clear();
        })
        .then();
  }
}
