package dev.altimeter.storage.postgres;

import dev.altimeter.storage.ArchivePolicy;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import java.util.ArrayList;
import java.util.List;
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
   * {@code INSERT INTO rollup} of the rows of {@code samples} (columns meter_id, resource_pk,
   * timestamp, volume, seq) in every granularity of {@code granularities} (column seconds). Rows are
   * upserted in key order, so two transactions folding into the same buckets lock them in the same
   * order and do not deadlock. A bucket already there is merged: the counts and sums add up, the
   * squared deviations merge with Chan's formula (exact up to rounding, unlike a sum of squares).
   */
  static String upsert(String samples, String granularities) {
    return """
        INSERT INTO rollup (granularity, meter_id, resource_pk, bucket, count, sum, min, max, m2,
                            first_timestamp, last_timestamp, first_seq)
        SELECT g.seconds, x.meter_id, x.resource_pk,
               date_bin(make_interval(secs => g.seconds), x.timestamp, timestamptz 'epoch'),
               count(*), sum(x.volume), min(x.volume), max(x.volume), var_pop(x.volume) * count(*),
               min(x.timestamp), max(x.timestamp), min(x.seq)
        FROM %s x CROSS JOIN %s g
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (granularity, meter_id, resource_pk, bucket) DO UPDATE SET
          m2 = rollup.m2 + excluded.m2 + (excluded.sum / excluded.count - rollup.sum / rollup.count) ^ 2
               * rollup.count::float8 * excluded.count / (rollup.count + excluded.count),
          count = rollup.count + excluded.count,
          sum = rollup.sum + excluded.sum,
          min = least(rollup.min, excluded.min),
          max = greatest(rollup.max, excluded.max),
          first_timestamp = least(rollup.first_timestamp, excluded.first_timestamp),
          last_timestamp = greatest(rollup.last_timestamp, excluded.last_timestamp),
          first_seq = least(rollup.first_seq, excluded.first_seq)""".formatted(samples, granularities);
  }

  /**
   * Makes the database's granularities those of {@code policy}: a granularity no longer in it loses
   * its rollups, a new one is computed from the samples stored so far. Both happen in one
   * transaction that holds writers off ({@code SHARE} lock on {@code sample}), so no sample is
   * missed or counted twice; when nothing changes no lock is taken. Blocking-free itself; called at
   * start-up. Every node must run the same policy: the last one started wins.
   */
  static Mono<Void> apply(ConnectionFactory connections, ArchivePolicy policy) {
    List<Long> wanted = policy.granularities();
    return Mono.usingWhen(connections.create(), conn -> registered(conn).flatMap(have -> {
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
            return execute(conn, "DELETE FROM rollup WHERE granularity = ANY($1::int[])", gone)
                .then(execute(conn, "DELETE FROM rollup_granularity WHERE seconds = ANY($1::int[])", gone))
                .then(execute(conn, "INSERT INTO rollup_granularity SELECT unnest($1::int[])", fresh))
                .then(execute(conn, upsert("sample", "(SELECT unnest($1::int[]) AS seconds)"), fresh));
          })
          .then(Mono.from(conn.commitTransaction()))
          .onErrorResume(e -> Mono.from(conn.rollbackTransaction()).then(Mono.error(e)));
    }), Connection::close);
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
