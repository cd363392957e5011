package dev.altimeter.bench;

import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.SampleType;
import dev.altimeter.storage.Statistics;
import dev.altimeter.storage.postgres.PostgresSampleStore;
import dev.altimeter.storage.postgres.PostgresStorage;
import io.r2dbc.spi.ConnectionFactoryOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import reactor.core.publisher.Flux;

/**
 * Query benchmark (a measurement, not a test; issue 13 item 5). Loads R resources x 10 meters x S
 * samples one minute apart through {@link PostgresSampleStore#write} (so the rollups are filled by
 * the write path, as in production), then times the store calls the API makes for each request of
 * the table (50 after a warm-up; p50/p99), and in the same run the same aggregate computed
 * from the raw rows in SQL and, where one applies, the rollup read in SQL (JDBC, p50).
 *
 * <p>The samples start on an hour boundary, so hourly windows from the oldest sample are aligned
 * with the hourly rollup buckets. Without {@code --url} (or env {@code ALTIMETER_BENCH_POSTGRES_URL},
 * an r2dbc URL of an empty database) an embedded PostgreSQL runs in a temporary directory.
 *
 * <p>Usage: {@code java -cp "bench/target/classes:$(cat bench/target/classpath.txt)"
 * dev.altimeter.bench.QueryBenchmark --resources 100 --samples 1000} (1 M samples; {@code --size
 * 10m} is 1,000 resources x 1,000 samples). Options: {@code --batch 5000 --concurrency 4
 * --requests 50 --warmup 5 --sql-requests 50}; {@code --data DIR} keeps the embedded store's data in DIR, and a
 * second run on the same DIR measures without loading again. {@code --load copy} loads the same
 * samples with COPY and derives the rollups, series and spans with the store's own statements
 * ({@link CopyLoad}): the COPY runs 3-8 times the write path's rate, the rollup fold as long again
 * (50 M samples in 37 min at load 7-14, docs/benchmarks.md "100 M samples"); {@code --requests 0}
 * only loads.
 */
public final class QueryBenchmark {
  static final int METERS = 10;
  private static int sqlRequests = 50;

  public static void main(String[] args) throws Exception {
    boolean tenMillion = "10m".equalsIgnoreCase(IngestBenchmark.stringArg(args, "--size", ""));
    int resources = IngestBenchmark.intArg(args, "--resources", tenMillion ? 1_000 : 100);
    int perSeries = IngestBenchmark.intArg(args, "--samples", 1_000);
    int batch = IngestBenchmark.intArg(args, "--batch", 5_000);
    int concurrency = IngestBenchmark.intArg(args, "--concurrency", 4);
    int requests = IngestBenchmark.intArg(args, "--requests", 50);
    int warmup = IngestBenchmark.intArg(args, "--warmup", 5);
    // the SQL columns are p50 only; at 10 M a raw aggregate takes seconds, so fewer may do
    sqlRequests = IngestBenchmark.intArg(args, "--sql-requests", requests);
    String env = System.getenv("ALTIMETER_BENCH_POSTGRES_URL");
    String url = IngestBenchmark.stringArg(args, "--url", env == null ? "" : env);
    // --load copy: COPY and the store's derivations (CopyLoad), for sizes the write path takes hours on
    String loading = IngestBenchmark.stringArg(args, "--load", "write");
    if (!loading.equals("write") && !loading.equals("copy")) throw new IllegalArgumentException("--load write|copy");
    boolean copy = loading.equals("copy");

    // --data DIR keeps the embedded store there; a store already loaded is measured without loading
    String keep = IngestBenchmark.stringArg(args, "--data", "");
    Path data = keep.isBlank() ? Files.createTempDirectory("altimeter-qbench") : Files.createDirectories(Path.of(keep));
    int pgPort = IngestBenchmark.freePort();
    PostgresStorage storage = PostgresStorage.start(new PostgresStorage.Config(url.isBlank() ? null : url,
        null, null, data, pgPort, concurrency + 2));
    System.out.println("store: " + storage.description());
    try (Connection db = jdbc(url, data, pgPort)) {
      PostgresSampleStore store = storage.store();
      // hour-aligned start, the newest sample a few minutes before now (today's partitions exist)
      Instant start = Instant.now().truncatedTo(ChronoUnit.HOURS)
          .minus(Duration.ofMinutes(perSeries)).truncatedTo(ChronoUnit.HOURS);
      long stored = IngestBenchmark.count(db, "SELECT count(*) FROM sample");
      if (stored == 0) {
        if (copy) {
          CopyLoad.load(store, () -> jdbc(url, data, pgPort), resources, perSeries, start, batch);
        } else {
          load(store, resources, perSeries, start, batch, concurrency);
        }
        try (Statement s = db.createStatement()) {
          s.execute("ANALYZE"); // the machine runs with autovacuum off; see the notes in docs/benchmarks.md
        }
      } else {
        System.out.printf("measuring the %,d samples already in %s (not loaded again)%n", stored, data);
      }
      System.out.printf("%nmachine: %s%n", uptime());
      if (requests == 0) return; // --requests 0: load only
      measure(store, db, requests, warmup, perSeries);
      System.out.printf("machine: %s%n", uptime());
    } finally {
      storage.close();
      if (url.isBlank() && keep.isBlank()) deleteTree(data);
    }
  }

  static void deleteTree(Path dir) throws java.io.IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }

  static final Map<String, Object> METADATA = Map.of("instance_type", "m1.small", "host", "compute-1");

  /**
   * The {@code i}-th sample of the load (both loads; {@link CopyLoad} renders the same fields without
   * building the sample): i = (minute * resources + resource) * METERS + meter, so every series
   * advances together; its message id holds the number of its write batch.
   */
  static Sample sample(long i, int resources, Instant start, int batch) {
    int resource = resourceOf(i, resources);
    return new Sample(meterName(i), SampleType.GAUGE, "u", volume(i, resources), "user" + resource % 10,
        "project" + resource % 10, "r" + resource, start.plus(Duration.ofMinutes(minuteOf(i, resources))), null,
        "bench", METADATA, messageId(i, batch), null);
  }

  static String meterName(long i) {
    return "m" + i % METERS;
  }

  static int resourceOf(long i, int resources) {
    return (int) (i / METERS % resources);
  }

  static long minuteOf(long i, int resources) {
    return i / METERS / resources;
  }

  static double volume(long i, int resources) {
    return (minuteOf(i, resources) * 7 + resourceOf(i, resources)) % 101 + i % METERS / 10.0;
  }

  static UUID messageId(long i, int batch) {
    return new UUID(i / batch, i);
  }

  /** Writes the samples in time order, {@code batch} per call, {@code concurrency} calls in flight. */
  static void load(PostgresSampleStore store, int resources, int perSeries, Instant start, int batch,
      int concurrency) {
    long total = (long) resources * METERS * perSeries;
    long t0 = System.nanoTime();
    long written = Flux.range(0, (int) ((total + batch - 1) / batch))
        .flatMapSequential(b -> {
          List<Sample> samples = new ArrayList<>(batch);
          for (long i = (long) b * batch; i < Math.min(total, (long) (b + 1) * batch); i++) {
            samples.add(sample(i, resources, start, batch));
          }
          return store.write(samples);
        }, concurrency)
        .reduce(0L, Long::sum)
        .block();
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (written != total) throw new IllegalStateException("stored " + written + " of " + total + " samples");
    System.out.printf("loaded %,d samples (%d resources x %d meters x %d, one minute apart) in %.1f s: %,.0f samples/s"
        + " (PostgresSampleStore.write, batches of %,d, %d in flight)%n",
        total, resources, METERS, perSeries, seconds, total / seconds, batch, concurrency);
  }

  static void measure(PostgresSampleStore store, Connection db, int requests, int warmup, int perSeries)
      throws Exception {
    int m0 = (int) IngestBenchmark.count(db, "SELECT id FROM meter WHERE name = 'm0'");
    long r1 = IngestBenchmark.count(db, "SELECT id FROM resource WHERE resource_id = 'r1'");
    SampleFilter meter = SampleFilter.builder().meter("m0").build();
    SampleFilter meterResource = SampleFilter.builder().meter("m0").resourceId("r1").build();
    String raw = "count(*), sum(volume), min(volume), max(volume), avg(volume), stddev_pop(volume),"
        + " min(timestamp), max(timestamp)";
    // stddev from the buckets' m2 needs Chan's merge; the sum of m2 here is the same read, not the answer
    String rollup = "sum(count), sum(sum), min(min), max(max), sum(sum) / sum(count), sum(m2),"
        + " min(first_timestamp), max(last_timestamp)";
    // a rollup read picks one kind of row (storage's PostgresRollups.upsert): a meter with no owner
    // condition, groupby or cardinality reads its all-owners rows (resource_pk < 0: shards), the rest
    // the series' rows (resource_pk >= 0)
    String allOwners = " AND resource_pk < 0";
    String ownSeries = " AND resource_pk >= 0";
    String window = "date_bin(interval '1 hour', timestamp, (SELECT min(timestamp) FROM sample WHERE meter_id = "
        + m0 + "))";
    List<Row> rows = List.of(
        new Row("`statistics` m0 (" + String.format("%,d", (long) perSeries * countResources(db)) + " samples)",
            () -> store.statistics(query(meter, List.of(), 0)).count().block(),
            "SELECT " + raw + " FROM sample WHERE meter_id = " + m0,
            "SELECT " + rollup + " FROM rollup WHERE granularity = 3600 AND meter_id = " + m0 + allOwners),
        new Row("same, `period=3600`",
            () -> store.statistics(query(meter, List.of(), 3600)).count().block(),
            "SELECT " + window + ", " + raw + " FROM sample WHERE meter_id = " + m0 + " GROUP BY 1 ORDER BY 1",
            "SELECT bucket, " + rollup + " FROM rollup WHERE granularity = 3600 AND meter_id = " + m0 + allOwners
                + " GROUP BY 1 ORDER BY 1"),
        new Row("same, `groupby=resource_id`",
            () -> store.statistics(query(meter, List.of(Statistics.GroupBy.RESOURCE_ID), 0)).count().block(),
            "SELECT r.resource_id, " + raw + " FROM sample s JOIN resource r ON r.id = s.resource_pk"
                + " WHERE s.meter_id = " + m0 + " GROUP BY 1",
            "SELECT r.resource_id, " + rollup + " FROM rollup x JOIN resource r ON r.id = x.resource_pk"
                + " WHERE x.granularity = 3600 AND x.meter_id = " + m0 + ownSeries + " GROUP BY 1"),
        new Row("m0 and resource r1, `period=3600`",
            () -> store.statistics(query(meterResource, List.of(), 3600)).count().block(),
            "SELECT date_bin(interval '1 hour', timestamp, (SELECT min(timestamp) FROM sample WHERE meter_id = " + m0
                + " AND resource_pk = " + r1 + ")), " + raw + " FROM sample WHERE meter_id = " + m0
                + " AND resource_pk = " + r1 + " GROUP BY 1 ORDER BY 1",
            "SELECT bucket, " + rollup + " FROM rollup WHERE granularity = 3600 AND meter_id = " + m0
                + " AND resource_pk = " + r1 + " GROUP BY 1 ORDER BY 1"),
        new Row("`samples` resource r1, limit 100",
            () -> store.samples(SampleFilter.builder().resourceId("r1").build(), 100).count().block(),
            samplesOf("r1"), null),
        new Row("`samples` meter m0 and resource r1, limit 100",
            () -> store.samples(meterResource, 100).count().block(),
            "SELECT s.* FROM sample s WHERE s.resource_pk = " + r1 + " AND s.meter_id = " + m0
                + " ORDER BY s.timestamp DESC, s.seq LIMIT 100", null),
        new Row("`samples` unknown resource, limit 100",
            () -> store.samples(SampleFilter.builder().resourceId("no-such-resource").build(), 100).count().block(),
            samplesOf("no-such-resource"), null),
        new Row("all " + METERS + " meters, one `statistics` call each (grouped by meter)",
            () -> {
              long n = 0;
              for (int m = 0; m < METERS; m++) {
                n += store.statistics(query(SampleFilter.builder().meter("m" + m).build(), List.of(), 0))
                    .count().block();
              }
              return n;
            },
            "SELECT meter_id, " + raw + " FROM sample GROUP BY meter_id",
            "SELECT meter_id, " + rollup + " FROM rollup WHERE granularity = 3600" + allOwners + " GROUP BY meter_id"),
        new Row("`resources`, limit 100",
            () -> store.resources(SampleFilter.ALL, 100).count().block(),
            "SELECT id, resource_id, user_id, project_id, source FROM resource ORDER BY id LIMIT 100", null),
        new Row("same, against a direct read of what it is made of",
            () -> store.resources(SampleFilter.ALL, 100).count().block(), RESOURCE_ROWS, null),
        new Row("`meters`, limit 100",
            () -> store.meters(SampleFilter.ALL, false, 100).count().block(),
            "SELECT meter_id, resource_pk, last_timestamp, last_metadata_id FROM series ORDER BY first_seq LIMIT 100",
            null),
        new Row("same, against a direct read of what it is made of",
            () -> store.meters(SampleFilter.ALL, false, 100).count().block(), METER_ROWS, null));

    // the store must be answering the question the SQL answers, or the comparison means nothing
    long stored = store.statistics(query(meter, List.of(), 0)).blockFirst().count();
    long counted = IngestBenchmark.count(db, "SELECT count(*) FROM sample WHERE meter_id = " + m0);
    if (stored != counted) throw new IllegalStateException("statistics count " + stored + ", raw count " + counted);

    // What the store kept since it started (pools, caches, prepared statements: about 3 MB here) is
    // otherwise copied between the survivor spaces at each young collection until it is old enough to
    // be tenured (15 collections): 6-12 ms a pause instead of 1-2 with the service's serial GC, in the
    // first requests' timed calls. A service running for a while has tenured it; so does this.
    System.gc();
    System.out.printf("%n%d store calls each after %d of warm-up, %d of each SQL statement; times in ms;"
        + " one full collection before them%n%n", requests, warmup, sqlRequests);
    System.out.println("| request | store p50 / p99 | raw rows in SQL p50 | rollup in SQL p50 | GC in the timed store calls |");
    System.out.println("|---|---|---|---|---|");
    for (Row row : rows) {
      for (int i = 0; i < warmup; i++) row.store.call();
      long[] gc = collections();
      double[] api = time(row.store, requests, 0);
      long[] after = collections();
      double[] sql = time(() -> query(db, row.rawSql), sqlRequests, Math.min(warmup, 1));
      double[] roll = row.rollupSql == null ? null : time(() -> query(db, row.rollupSql), sqlRequests, Math.min(warmup, 1));
      System.out.printf("| %s | %s / %s | %s | %s | %d, %d ms |%n", row.name, ms(percentile(api, 50)), ms(percentile(api, 99)),
          ms(percentile(sql, 50)), roll == null ? "" : ms(percentile(roll, 50)), after[0] - gc[0], after[1] - gc[1]);
    }
  }

  /**
   * The collections of this JVM so far, and their pause time in ms (all collectors): a p99 of 50
   * calls is their slowest, and one young collection in them sets it.
   */
  static long[] collections() {
    long count = 0;
    long millis = 0;
    for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
      count += Math.max(0, gc.getCollectionCount());
      millis += Math.max(0, gc.getCollectionTime());
    }
    return new long[] {count, millis};
  }

  /**
   * A page of 100 resources read straight by its indexes: the first 100 owners in first-stored order,
   * each with its series folded to its time range and meter names (one row per owner, 10 series read
   * per owner here). Leaves out what the store's statement adds: one row per resource id (owners of
   * one id merged, the newest owner and its metadata document picked) and Ceilometer's meter links
   * over the project's owners.
   */
  static final String RESOURCE_ROWS = "SELECT r.resource_id, r.user_id, r.project_id, r.source, min(se.first_timestamp),"
      + " max(se.last_timestamp), array_agg(m.name) FROM (SELECT resource_pk, first_seq FROM resource_span"
      + " ORDER BY first_seq LIMIT 100) sp JOIN resource r ON r.id = sp.resource_pk"
      + " JOIN series se ON se.resource_pk = r.id JOIN meter m ON m.id = se.meter_id"
      + " GROUP BY r.id, sp.first_seq ORDER BY sp.first_seq";

  /** The rows a page of 100 meters is made of: the first 100 series with their meters and owners. */
  static final String METER_ROWS = "SELECT m.name, m.type, m.unit, r.resource_id, r.user_id, r.project_id, r.source"
      + " FROM (SELECT meter_id, resource_pk, first_seq FROM series ORDER BY first_seq LIMIT 100) se"
      + " JOIN meter m ON m.id = se.meter_id JOIN resource r ON r.id = se.resource_pk ORDER BY se.first_seq";

  /** One line of the table: the store call and its SQL counterparts (the rollup one may be null). */
  record Row(String name, Callable<?> store, String rawSql, String rollupSql) {}

  static Statistics.Query query(SampleFilter filter, List<Statistics.GroupBy> groupBy, long period) {
    return new Statistics.Query(filter, groupBy, period, List.of());
  }

  /** The direct index read: resolve the resource id first, then its newest samples. */
  static String samplesOf(String resourceId) {
    return "SELECT s.* FROM sample s WHERE s.resource_pk IN (SELECT id FROM resource WHERE resource_id = '"
        + resourceId + "') ORDER BY s.timestamp DESC, s.seq LIMIT 100";
  }

  static long countResources(Connection db) throws Exception {
    return IngestBenchmark.count(db, "SELECT count(DISTINCT resource_id) FROM resource");
  }

  /** Runs the statement and reads every row, like psql would. */
  static Object query(Connection db, String sql) throws SQLException {
    try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      long n = 0;
      while (rs.next()) {
        for (int c = 1; c <= columns; c++) rs.getObject(c);
        n++;
      }
      return n;
    }
  }

  /** Seconds each of {@code n} calls took, after {@code warmup} untimed ones. */
  static double[] time(Callable<?> call, int n, int warmup) throws Exception {
    for (int i = 0; i < warmup; i++) call.call();
    double[] seconds = new double[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      call.call();
      seconds[i] = (System.nanoTime() - t0) / 1e9;
    }
    return seconds;
  }

  /** Nearest-rank percentile. */
  static double percentile(double[] values, int p) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[Math.max(0, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }

  static String ms(double seconds) {
    double ms = seconds * 1000;
    return ms < 10 ? String.format("%.2f", ms) : String.format("%,.0f", ms);
  }

  static String uptime() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip() + " (load averages 1, 5, 15 min)";
    } catch (java.io.IOException e) {
      return "load unknown";
    }
  }

  /** JDBC to the same database: the embedded server's (password beside its data), or the URL's. */
  static Connection jdbc(String r2dbcUrl, Path data, int pgPort) throws Exception {
    if (r2dbcUrl.isBlank()) return IngestBenchmark.embeddedStore(data, pgPort);
    ConnectionFactoryOptions o = ConnectionFactoryOptions.parse(r2dbcUrl);
    Object port = o.getValue(ConnectionFactoryOptions.PORT);
    Object password = o.getValue(ConnectionFactoryOptions.PASSWORD);
    return DriverManager.getConnection("jdbc:postgresql://" + o.getValue(ConnectionFactoryOptions.HOST) + ":"
        + (port == null ? 5432 : port) + "/" + o.getValue(ConnectionFactoryOptions.DATABASE),
        (String) o.getValue(ConnectionFactoryOptions.USER), password == null ? null : password.toString());
  }
}
