package dev.altimeter.storage.postgres;

import dev.altimeter.storage.ArchivePolicy;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.R2dbcException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The rollup table's SQL: how a set of samples is folded into the buckets of every granularity, and
 * how the database's granularities are brought in line with the {@link ArchivePolicy}.
 */
final class PostgresRollups {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresRollups.class);

  private PostgresRollups() {}

  /**
   * How many rows a meter's all-owners bucket is split into. Every batch holding meter m in bucket b
   * upserts an all-owners row of (m, b); one row would serialize concurrent batches on its lock until
   * they commit, so each batch folds into one of these shards (the writer's choice) and reads sum them.
   */
  static final int ALL_OWNERS_SHARDS = 8;

  /** On a rollup row aliased {@code x}: a series' own bucket (resource_pk is a resource's id, >= 1). */
  static final String PER_SERIES = "x.resource_pk >= 0";

  /** On a rollup row aliased {@code x}: a bucket of all the owners of a meter (one of its shards). */
  static final String ALL_OWNERS = "x.resource_pk < 0";

  /**
   * {@code INSERT INTO rollup} of the rows of {@code samples} (columns meter_id, resource_pk,
   * timestamp, volume, seq) in every granularity of {@code granularities} (column seconds): per
   * series, and per meter over all its owners into shard {@code shard} (an SQL expression in [0,
   * {@link #ALL_OWNERS_SHARDS})).
   *
   * <p>Contract of the table: a row with resource_pk >= 0 is the bucket of one series (meter,
   * resource); a row with resource_pk = -1 - s is shard s of the bucket of all the meter's series
   * together: summed over its shards, it is the merge of that meter's series rows of the bucket. Both
   * come from the same samples in the same statement, so they agree; they live in the same
   * partitions, so expiry and policy changes treat them alike. Every read of {@code rollup} must pick
   * one kind ({@link #PER_SERIES} or {@link #ALL_OWNERS}), or it counts every sample twice.
   *
   * <p>Rows are upserted in key order, so two transactions folding into the same buckets lock them in
   * the same order and do not deadlock. A bucket already there is merged: the counts and sums add up,
   * the squared deviations merge with Chan's formula (exact up to rounding, unlike a sum of squares).
   */
  static String upsert(String samples, String granularities, String shard) {
    return """
        INSERT INTO rollup (granularity, meter_id, resource_pk, bucket, count, sum, min, max, m2,
                            first_timestamp, last_timestamp, first_seq)
        SELECT g.seconds, x.meter_id,
               CASE WHEN grouping(x.resource_pk) = 1 THEN -1 - %3$s ELSE x.resource_pk END,
               date_bin(make_interval(secs => g.seconds), x.timestamp, timestamptz 'epoch'),
               count(*), sum(x.volume), min(x.volume), max(x.volume), var_pop(x.volume) * count(*),
               min(x.timestamp), max(x.timestamp), min(x.seq)
        FROM %1$s x CROSS JOIN %2$s g
        GROUP BY 1, 2, 4, ROLLUP (x.resource_pk) ORDER BY 1, 2, 3, 4
        ON CONFLICT (granularity, meter_id, resource_pk, bucket) DO UPDATE SET
          m2 = rollup.m2 + excluded.m2 + (excluded.sum / excluded.count - rollup.sum / rollup.count) ^ 2
               * rollup.count::float8 * excluded.count / (rollup.count + excluded.count),
          count = rollup.count + excluded.count,
          sum = rollup.sum + excluded.sum,
          min = least(rollup.min, excluded.min),
          max = greatest(rollup.max, excluded.max),
          first_timestamp = least(rollup.first_timestamp, excluded.first_timestamp),
          last_timestamp = greatest(rollup.last_timestamp, excluded.last_timestamp),
          first_seq = least(rollup.first_seq, excluded.first_seq)""".formatted(samples, granularities, shard);
  }

  /**
   * {@code INSERT INTO rollup} of the all-owners rows (shard 0) merged from the per-series rows of
   * {@code source} (a table of rollup's columns; its all-owners rows are skipped, and none may exist
   * yet for its buckets): for databases whose rollups predate them. {@code allOwnersFrom("rollup")}
   * is migration V13's statement (RollupAllOwnersMigrationTest holds them equal). The squared
   * deviations merge around the bucket's mean: m2 = sum(m2_i + n_i * (mean_i - mean)^2).
   */
  static String allOwnersFrom(String source) {
    return """
        INSERT INTO rollup (granularity, meter_id, resource_pk, bucket, count, sum, min, max, m2,
                            first_timestamp, last_timestamp, first_seq)
        SELECT granularity, meter_id, -1, bucket, sum(count), sum(sum), min(min), max(max),
               sum(m2 + count * (sum / count - mean) ^ 2),
               min(first_timestamp), max(last_timestamp), min(first_seq)
        FROM (SELECT x.*, sum(x.sum) OVER b / sum(x.count) OVER b AS mean FROM %s x
              WHERE x.resource_pk >= 0 WINDOW b AS (PARTITION BY x.granularity, x.meter_id, x.bucket)) x
        GROUP BY granularity, meter_id, bucket ORDER BY 1, 2, 4""".formatted(source);
  }

  /**
   * Makes the database's granularities those of {@code policy}: a granularity no longer in it loses
   * its rollups (its partition is dropped), a new one is computed from the samples stored so far.
   * Both happen in one transaction that holds writers off ({@code SHARE} lock on {@code sample}), so
   * no sample is missed or counted twice; when nothing changes no lock is taken. Before that, rollups
   * of a V7 database are moved into the partitions of V9 (once). Blocking-free itself; called at
   * start-up. Every node must run the same policy: the last one started wins.
   */
  static Mono<Void> apply(ConnectionFactory connections, ArchivePolicy policy) {
    List<Long> wanted = policy.granularities();
    return Mono.usingWhen(connections.create(), conn -> convertV7(conn).then(registered(conn)).flatMap(have -> {
      if (have.equals(wanted)) return Mono.<Void>empty();
      return Mono.from(conn.beginTransaction())
          .then(execute(conn, "LOCK TABLE rollup_granularity IN SHARE ROW EXCLUSIVE MODE"))
          .then(execute(conn, "LOCK TABLE sample IN SHARE MODE"))
          .then(registered(conn))
          .flatMap(current -> {
            List<Long> removed = new ArrayList<>(current);
            removed.removeAll(wanted);
            List<Long> added = new ArrayList<>(wanted);
            added.removeAll(current);
            Integer[] gone = removed.stream().map(Long::intValue).toArray(Integer[]::new);
            Integer[] fresh = added.stream().map(Long::intValue).toArray(Integer[]::new);
            if (!added.isEmpty() || !removed.isEmpty()) {
              LOG.info("Rollup granularities {} s: dropping {}, computing {} from the stored samples", wanted,
                  removed, added);
            }
            return Flux.fromIterable(removed).concatMap(g -> execute(conn, "DROP TABLE IF EXISTS "
                    + RollupPartitions.level(g))).then()
                .then(execute(conn, "DELETE FROM rollup_granularity WHERE seconds = ANY($1::int[])", gone))
                .then(execute(conn, "DELETE FROM retention_horizon WHERE granularity = ANY($1::int[])", gone))
                .then(execute(conn, "INSERT INTO rollup_granularity SELECT unnest($1::int[])", fresh))
                .then(sampleDays(conn))
                .flatMap(days -> createPartitions(conn, added, days))
                .then(execute(conn, upsert("sample", "(SELECT unnest($1::int[]) AS seconds)", "0"), fresh));
          })
          .then(Mono.from(conn.commitTransaction()))
          .onErrorResume(e -> Mono.from(conn.rollbackTransaction()).then(Mono.error(e)));
    }), Connection::close);
  }

  /**
   * Creates the partitions of levels {@code granularities} (seconds) that the samples of {@code
   * days} fall into: the level's own and the spans of those days (idempotent; a span is a whole
   * number of days, so a day lies in exactly one span of each level).
   */
  static Mono<Void> createPartitions(Connection conn, Collection<Long> granularities, Collection<LocalDate> days) {
    Set<String> statements = new LinkedHashSet<>();
    for (long g : granularities) {
      statements.add(RollupPartitions.createLevel(g));
      for (LocalDate day : days) {
        statements.add(RollupPartitions.createSpan(g, RollupPartitions.spanStart(g, day.toEpochDay() * RollupPartitions.DAY)));
      }
    }
    return Flux.fromIterable(statements).concatMap(sql -> execute(conn, sql)
        // a concurrent writer created it first
        .onErrorResume(PostgresRollups::isDuplicate, e -> Mono.empty())).then();
  }

  static boolean isDuplicate(Throwable e) {
    String state = e instanceof R2dbcException r ? r.getSqlState() : null;
    return "42P07".equals(state) || "23505".equals(state);
  }

  /** The days of the sample partitions (the days holding samples), from the catalogue. */
  static Mono<List<LocalDate>> sampleDays(Connection conn) {
    return children(conn, "sample").filter(name -> name.matches("sample_\\d{8}"))
        .map(name -> LocalDate.parse(name.substring(7), DateTimeFormatter.BASIC_ISO_DATE)).collectList();
  }

  /** The names of the partitions of {@code table}, in name order. */
  static Flux<String> children(Connection conn, String table) {
    return Flux.from(conn.createStatement("""
            SELECT c.relname FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid
            JOIN pg_class p ON p.oid = i.inhparent
            WHERE p.relname = $1 ORDER BY c.relname""").bind(0, table).execute())
        .flatMap(r -> r.map(row -> row.get("relname", String.class)));
  }

  /**
   * Moves the rollups of a V7 database (table {@code rollup_v7}, left by migration V9) into the
   * partitioned table and drops it, in one transaction; nothing when there is none.
   */
  private static Mono<Void> convertV7(Connection conn) {
    return Flux.from(conn.createStatement("SELECT to_regclass('rollup_v7') IS NOT NULL AS v7").execute())
        .flatMap(r -> r.map(row -> row.get("v7", Boolean.class))).next()
        .flatMap(v7 -> !v7 ? Mono.<Void>empty() : Mono.from(conn.beginTransaction())
            .then(execute(conn, "LOCK TABLE rollup_granularity IN SHARE ROW EXCLUSIVE MODE"))
            .then(execute(conn, "LOCK TABLE rollup_v7 IN ACCESS EXCLUSIVE MODE"))
            .then(registered(conn))
            .flatMapMany(Flux::fromIterable)
            .concatMap(g -> execute(conn, RollupPartitions.createLevel(g)).thenMany(Flux.from(conn.createStatement(
                    "SELECT DISTINCT floor(extract(epoch FROM bucket) / $1)::bigint AS k FROM rollup_v7"
                        + " WHERE granularity = $2").bind(0, RollupPartitions.spanSeconds(g)).bind(1, g.intValue())
                    .execute()).flatMap(r -> r.map(row -> row.get("k", Long.class))))
                .concatMap(k -> execute(conn, RollupPartitions.createSpan(g, k * RollupPartitions.spanSeconds(g)))))
            .then(execute(conn, "INSERT INTO rollup SELECT * FROM rollup_v7"
                + " WHERE granularity IN (SELECT seconds FROM rollup_granularity)"))
            // V7's rows are all per series, and nothing else is in rollup yet (V13 ran on it empty, no
            // writer starts before this): their all-owners rows, with V13's own statement
            .then(execute(conn, allOwnersFrom("rollup")))
            .then(execute(conn, "DROP TABLE rollup_v7"))
            .then(Mono.from(conn.commitTransaction()))
            .doOnSuccess(v -> LOG.info("Rollups moved into their partitions (migration V9)"))
            .onErrorResume(e -> Mono.from(conn.rollbackTransaction()).then(Mono.error(e))));
  }

  /** The granularities the database holds, finest first. */
  static Mono<List<Long>> registered(Connection conn) {
    return Flux.from(conn.createStatement("SELECT seconds FROM rollup_granularity ORDER BY seconds").execute())
        .flatMap(r -> r.map(row -> row.get("seconds", Integer.class).longValue()))
        .collectList();
  }

  private static Mono<Void> execute(Connection conn, String sql) {
    return Flux.from(conn.createStatement(sql).execute()).flatMap(r -> r.getRowsUpdated()).then();
  }

  /** Runs {@code sql} with the granularities as {@code $1} (an {@code int[]}). */
  private static Mono<Void> execute(Connection conn, String sql, Integer[] granularities) {
    return Flux.from(conn.createStatement(sql).bind(0, granularities).execute()).flatMap(r -> r.getRowsUpdated())
        .then();
  }
}
