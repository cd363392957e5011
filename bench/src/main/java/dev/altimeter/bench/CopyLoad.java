package dev.altimeter.bench;

import dev.altimeter.storage.Sample;
import dev.altimeter.storage.postgres.PostgresSampleStore;
import dev.altimeter.storage.postgres.SampleDerivations;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The query benchmark's samples loaded with COPY instead of {@link PostgresSampleStore#write}
 * ({@code --load copy}; issue 13's 100 M run): the dictionaries and the samples go in with COPY
 * over JDBC, one COPY per day partition, and each day, once committed, is folded into the rollups
 * and series by the store's own statements ({@link SampleDerivations}) on a second connection while
 * the next day is copied; the resource spans are derived last. The store must have started on the
 * empty database (its migrations and archive policy applied) and nothing else may write.
 *
 * <p>The same samples as the write path's load ({@link QueryBenchmark#sample}), with the seqs the
 * write path gives them when it writes one batch at a time (the load order, from 1): the
 * derived tables are those of that load up to the rounding of sums and m2 ({@code
 * CopyLoadEquivalenceTest}). Dictionary ids are assigned in first-seen order, not the writer's.
 */
final class CopyLoad {
  private static final int METERS = QueryBenchmark.METERS;
  private static final long METADATA_ID = 1;
  private static final int FLUSH_BYTES = 1 << 20;

  private CopyLoad() {}

  /**
   * Loads {@code resources} x 10 meters x {@code perSeries} samples from {@code start}; {@code batch}
   * is the write path load's batch (the message ids hold it). {@code connect} opens a connection to
   * the store's database (two are used).
   */
  static void load(PostgresSampleStore store, Callable<Connection> connect, int resources, int perSeries,
      Instant start, int batch) throws Exception {
    long total = (long) resources * METERS * perSeries;
    LocalDate firstDay = LocalDate.ofEpochDay(Math.floorDiv(start.getEpochSecond(), 86_400));
    LocalDate lastDay = LocalDate.ofEpochDay(Math.floorDiv(start.plus(perSeries - 1L, ChronoUnit.MINUTES)
        .getEpochSecond(), 86_400));
    store.createPartitionsAhead(firstDay, (int) (lastDay.toEpochDay() - firstDay.toEpochDay()) + 1).block();

    long t0 = System.nanoTime();
    ExecutorService deriver = Executors.newSingleThreadExecutor();
    try (Connection copying = connect.call(); Connection deriving = connect.call()) {
      for (Connection c : List.of(copying, deriving)) {
        execute(c, "SET synchronous_commit = off");
      }
      // a day's rollup fold groups about as many rows as the day holds: sorted in memory if it fits
      execute(deriving, "SET work_mem = '1GB'");
      copyDictionaries(copying, resources, start);

      List<Future<?>> derived = new ArrayList<>();
      CopyIn copy = null;
      LocalDate day = null;
      byte[] buffer = new byte[FLUSH_BYTES + 4096];
      int used = 0;
      String recordedAt = Instant.now().toString();
      long reported = System.nanoTime();
      long reportedRows = 0;
      long minute = -1;
      String timestamp = null;
      for (long i = 0; i < total; i++) {
        // QueryBenchmark.sample's fields, without building (and validating) a Sample per row
        if (QueryBenchmark.minuteOf(i, resources) != minute) {
          minute = QueryBenchmark.minuteOf(i, resources);
          Instant t = start.plus(minute, ChronoUnit.MINUTES);
          timestamp = t.toString();
          LocalDate sampleDay = LocalDate.ofEpochDay(Math.floorDiv(t.getEpochSecond(), 86_400));
          if (!sampleDay.equals(day)) {
            if (copy != null) {
              copy.writeToCopy(buffer, 0, used);
              used = 0;
              copy.endCopy();
              derived.add(derive(deriver, deriving, day, t0));
            }
            day = sampleDay;
            copy = ((PGConnection) copying).getCopyAPI().copyIn("COPY sample (message_id, timestamp, meter_id,"
                + " resource_pk, metadata_id, volume, recorded_at, seq) FROM STDIN");
          }
        }
        byte[] row = (QueryBenchmark.messageId(i, batch) + "\t" + timestamp + "\t"
            + (i % METERS + 1) + "\t" + (QueryBenchmark.resourceOf(i, resources) + 1) + "\t"
            + METADATA_ID + "\t" + QueryBenchmark.volume(i, resources) + "\t" + recordedAt + "\t" + (i + 1)
            + "\n").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(row, 0, buffer, used, row.length);
        used += row.length;
        if (used >= FLUSH_BYTES) {
          copy.writeToCopy(buffer, 0, used);
          used = 0;
          long now = System.nanoTime();
          if (now - reported > 10_000_000_000L) {
            System.out.printf("  copied %,d of %,d samples: %,.0f samples/s (last %.0f s), %s%n", i + 1, total,
                (i + 1 - reportedRows) / ((now - reported) / 1e9), (now - reported) / 1e9, QueryBenchmark.uptime());
            reported = now;
            reportedRows = i + 1;
          }
        }
      }
      copy.writeToCopy(buffer, 0, used);
      copy.endCopy();
      double copied = (System.nanoTime() - t0) / 1e9;
      System.out.printf("copied %,d samples in %.1f s: %,.0f samples/s%n", total, copied, total / copied);
      derived.add(derive(deriver, deriving, day, t0));
      for (Future<?> f : derived) f.get();

      long t1 = System.nanoTime();
      execute(copying, SampleDerivations.resourceSpans());
      // the write path's next sample continues after the loaded ones, as after the write path's load
      execute(copying, "SELECT setval('sample_seq', " + total + ")");
      System.out.printf("resource spans in %.1f s%n", (System.nanoTime() - t1) / 1e9);
    } finally {
      deriver.shutdownNow();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("loaded %,d samples (%d resources x %d meters x %d, one minute apart) in %.1f s: %,.0f samples/s"
        + " (COPY, then the store's rollup and series folds per day partition)%n",
        total, resources, METERS, perSeries, seconds, total / seconds);
  }

  /** Folds the day's committed partition into the rollups and series (on the deriving connection). */
  private static Future<?> derive(ExecutorService deriver, Connection deriving, LocalDate day, long t0) {
    String partition = "sample_" + day.toString().replace("-", "");
    return deriver.submit(() -> {
      long t = System.nanoTime();
      execute(deriving, SampleDerivations.rollups(partition));
      long r = System.nanoTime();
      execute(deriving, SampleDerivations.series(partition));
      System.out.printf("  derived %s: rollups %.1f s, series %.1f s (at %.0f s), %s%n", partition, (r - t) / 1e9,
          (System.nanoTime() - r) / 1e9, (System.nanoTime() - t0) / 1e9, QueryBenchmark.uptime());
      return null;
    });
  }

  /**
   * COPYs the meters, resource owners and the metadata document of {@link QueryBenchmark#sample}'s
   * samples, and moves the id sequences past them: the meter of sample {@code i} gets id {@code i %
   * METERS + 1}, its resource owner {@code resourceOf(i) + 1}, the document {@link #METADATA_ID}.
   */
  private static void copyDictionaries(Connection db, int resources, Instant start) throws SQLException {
    StringBuilder meterRows = new StringBuilder();
    for (int m = 0; m < METERS; m++) {
      Sample s = QueryBenchmark.sample(m, resources, start, 1);
      meterRows.append(m + 1).append('\t').append(s.meter()).append('\t').append(s.type().wireName()).append('\t')
          .append(s.unit()).append('\n');
    }
    StringBuilder resourceRows = new StringBuilder();
    for (int r = 0; r < resources; r++) {
      Sample s = QueryBenchmark.sample((long) r * METERS, resources, start, 1);
      resourceRows.append(r + 1).append('\t').append(s.resourceId()).append('\t').append(s.userId()).append('\t')
          .append(s.projectId()).append('\t').append(s.source()).append('\n');
    }
    // the document as the store renders it (keys sorted), keyed by the writer's hash of it
    String doc = JsonMapper.builder().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build()
        .writeValueAsString(QueryBenchmark.METADATA);
    copy(db, "COPY meter (id, name, type, unit) FROM STDIN", meterRows);
    copy(db, "COPY resource (id, resource_id, user_id, project_id, source) FROM STDIN", resourceRows);
    copy(db, "COPY resource_metadata (id, hash, doc) FROM STDIN", METADATA_ID + "\t"
        + SampleDerivations.metadataHash(doc) + "\t" + doc.replace("\\", "\\\\") + "\n");
    for (String table : List.of("meter", "resource", "resource_metadata")) {
      execute(db, "SELECT setval(pg_get_serial_sequence('" + table + "', 'id'), (SELECT max(id) FROM " + table + "))");
    }
  }

  private static void copy(Connection db, String sql, CharSequence rows) throws SQLException {
    try {
      ((PGConnection) db).getCopyAPI().copyIn(sql, new java.io.StringReader(rows.toString()));
    } catch (java.io.IOException e) {
      throw new SQLException(e);
    }
  }

  private static void execute(Connection db, String sql) throws SQLException {
    try (Statement s = db.createStatement()) {
      s.execute(sql);
    }
  }
}
