package dev.altimeter.storage.postgres;

import dev.altimeter.storage.ArchivePolicy;
import dev.altimeter.storage.Meter;
import dev.altimeter.storage.Resource;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.SampleQuery;
import dev.altimeter.storage.SampleRange;
import dev.altimeter.storage.Statistics;
import dev.altimeter.storage.SampleStore;
import dev.altimeter.storage.SampleType;
import io.r2dbc.postgresql.api.PostgresqlException;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Statement;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link SampleStore} on PostgreSQL over R2DBC.
 *
 * <p>A batch is written in one round trip per table: dictionary rows (meter, resource owner,
 * metadata document) are resolved through in-memory caches and upserted in bulk on a miss; the
 * samples go in as one {@code INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING} that also
 * folds the batch into the {@code series} and {@code rollup} tables, in one transaction. Rows are upserted in key order
 * so concurrent batches lock in the same order. Thread-safe.
 */
public final class PostgresSampleStore implements SampleStore {
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
  /** Dictionary caches are cleared when they grow past this many entries (bounded memory). */
  static final int CACHE_LIMIT = 200_000;

  private final ConnectionFactory connections;
  private final JsonMapper json;
  private final Map<MeterKey, Integer> meterIds = new ConcurrentHashMap<>();
  private final Map<OwnerKey, Long> ownerIds = new ConcurrentHashMap<>();
  private final Map<UUID, Long> metadataIds = new ConcurrentHashMap<>();
  /** Days whose sample partition and rollup spans are known to exist. */
  private final Set<LocalDate> partitions = ConcurrentHashMap.newKeySet();
  private final RollupPlanner planner;
  private final ArchivePolicy policy;
  /**
   * The granularities the writer makes rollup partitions for: the policy's, or the database's once
   * an insert found a partition missing (the database holds another policy, or another process's
   * expirer dropped a span this one thought it had).
   */
  private volatile List<Long> rolledUp;

  /** A store whose planner reads the default archive policy's rollups ({@link ArchivePolicy#DEFAULT}). */
  public PostgresSampleStore(ConnectionFactory connections) {
    this(connections, ArchivePolicy.parse("archive policy", ArchivePolicy.DEFAULT));
  }

  /**
   * @param policy the rollups the database holds (see {@link PostgresStorage}, which brings the
   *     database in line with it at start)
   */
  public PostgresSampleStore(ConnectionFactory connections, ArchivePolicy policy) {
    this.connections = connections;
    this.planner = new RollupPlanner(policy.granularities());
    this.policy = policy;
    this.rolledUp = policy.granularities();
    this.json = JsonMapper.builder().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();
  }

  record MeterKey(String name, SampleType type, String unit) {}

  record OwnerKey(String resourceId, String userId, String projectId, String source) {}

  /** A sample with its metadata document rendered and hashed once. */
  private record Prepared(Sample sample, UUID metadataHash, String metadataJson) {}

  // ---------------------------------------------------------------- write

  @Override
  public Mono<Integer> write(List<Sample> samples) {
    if (samples.isEmpty()) return Mono.just(0);
    return Mono.fromCallable(() -> prepare(samples))
        .flatMap(prepared -> Mono.usingWhen(connections.create(),
            conn -> Mono.defer(() -> ensurePartitions(conn, prepared))
                .then(Mono.defer(() -> resolveMeters(conn, prepared)))
                .then(Mono.defer(() -> resolveOwners(conn, prepared)))
                .then(Mono.defer(() -> resolveMetadata(conn, prepared)))
                .then(Mono.defer(() -> insertSamples(conn, prepared))),
            Connection::close))
        // a deadlock or serialization failure between concurrent batches is retried, and so is an
        // insert that found a partition missing, after learning the database's levels afresh
        .retryWhen(PostgresErrors.RETRY.filter(e -> PostgresErrors.isConflict(e) || isMissingPartition(e))
            .doBeforeRetryAsync(retry -> isMissingPartition(retry.failure()) ? relearnPartitions() : Mono.empty()))
        .onErrorMap(PostgresErrors::translate);
  }

  /**
   * Forgets the cached dictionary ids and known partitions. Call after the tables were changed
   * behind the store's back (tests truncating them, manual repair).
   */
  public void forgetCachedIds() {
    meterIds.clear();
    ownerIds.clear();
    metadataIds.clear();
    partitions.clear();
  }

  private List<Prepared> prepare(List<Sample> samples) {
    List<Prepared> out = new ArrayList<>(samples.size());
    Map<Map<String, Object>, Prepared> seen = new HashMap<>();
    for (Sample s : samples) {
      Prepared same = seen.get(s.resourceMetadata());
      if (same != null) {
        out.add(new Prepared(s, same.metadataHash, same.metadataJson));
        continue;
      }
      String doc = json.writeValueAsString(s.resourceMetadata());
      Prepared p = new Prepared(s, hash(doc), doc);
      seen.put(s.resourceMetadata(), p);
      out.add(p);
    }
    return out;
  }

  static UUID hash(String doc) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(doc.getBytes(StandardCharsets.UTF_8));
      long hi = 0, lo = 0;
      for (int i = 0; i < 8; i++) hi = (hi << 8) | (d[i] & 0xff);
      for (int i = 8; i < 16; i++) lo = (lo << 8) | (d[i] & 0xff);
      return new UUID(hi, lo);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private Mono<Void> ensurePartitions(Connection conn, List<Prepared> batch) {
    Set<LocalDate> days = new TreeSet<>();
    for (Prepared p : batch) {
      // the UTC day without LocalDate.ofInstant, which builds zone rules for every call
      LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(p.sample.timestamp().getEpochSecond(), 86_400));
      if (!partitions.contains(day)) days.add(day);
    }
    if (days.isEmpty()) return Mono.empty();
    // the rollup spans first: a day is marked known once its sample partition exists
    return PostgresRollups.createPartitions(conn, rolledUp, days)
        .thenMany(Flux.fromIterable(days).concatMap(day -> createPartition(conn, day))).then();
  }

  /** Creates the daily partitions from {@code from} for {@code days} days (idempotent). */
  public Mono<Void> createPartitionsAhead(LocalDate from, int days) {
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
  public Mono<List<LocalDate>> expire(Instant cutoff) {
    LocalDate firstKept = LocalDate.ofInstant(cutoff, ZoneOffset.UTC);
    return transaction(conn -> dropBefore(conn, "sample", 0, firstKept.toEpochDay() * RollupPartitions.DAY,
            name -> name.matches("sample_\\d{8}")
                ? LocalDate.parse(name.substring(7), DateTimeFormatter.BASIC_ISO_DATE).toEpochDay() * RollupPartitions.DAY
                : null)
        .map(name -> LocalDate.parse(name.substring(7), DateTimeFormatter.BASIC_ISO_DATE))
        .doOnNext(partitions::remove) // a late sample for that day recreates the partition
        .collectList()
        .flatMap(days -> {
          OffsetDateTime cut = firstKept.atStartOfDay().atOffset(ZoneOffset.UTC);
          return execute(conn, "DELETE FROM series WHERE last_timestamp < $1", cut)
              .then(execute(conn, ResourceSpans.DROP_EMPTY))
              .then(execute(conn, ResourceSpans.REFOLD))
              .thenReturn(days);
        }));
  }

  /**
   * Retention of the rollups: per level of the archive policy that does not keep its buckets
   * forever, drops the spans (partitions) that lie wholly before {@code now} minus the level's
   * retention and records where the level now starts as its horizon, in one transaction. A level
   * keeps at most one span more than its retention.
   *
   * @return the partitions dropped
   */
  public Mono<List<String>> expireRollups(Instant now) {
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

  /** The archive policy this store plans statistics with and expires rollups by. */
  public ArchivePolicy archivePolicy() {
    return policy;
  }

  /**
   * Drops the partitions of {@code parent} that start before {@code keepFrom} (epoch seconds; a
   * partition boundary, so those end at or before it) and raises the horizon of {@code granularity}
   * to it. {@code start} maps a partition name to its first second, or null for a name it does not
   * know (left alone).
   */
  private static Flux<String> dropBefore(Connection conn, String parent, long granularity, long keepFrom,
      Function<String, Long> start) {
    return execute(conn, "INSERT INTO retention_horizon VALUES ($1, to_timestamp($2)) ON CONFLICT (granularity)"
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
        .concatMap(name -> execute(conn, "DROP TABLE IF EXISTS " + name).thenReturn(name));
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

  private static Mono<Void> execute(Connection conn, String sql, Object... binds) {
    Statement st = conn.createStatement(sql);
    for (int i = 0; i < binds.length; i++) st.bind(i, binds[i]);
    return Flux.from(st.execute()).flatMap(r -> r.getRowsUpdated()).then();
  }

  /**
   * What retention removed: per source (0 the raw samples, else a granularity in seconds), the
   * epoch microsecond before which it holds nothing. Empty when nothing was ever expired.
   */
  Mono<Map<Long, Long>> horizons() {
    return query("SELECT granularity, horizon FROM retention_horizon", List.of(),
        row -> Map.entry(row.get("granularity", Integer.class).longValue(),
            EpochMicros.of(row.get("horizon", OffsetDateTime.class).toInstant())))
        .collectMap(Map.Entry::getKey, Map.Entry::getValue);
  }

  private Mono<Void> createPartition(Connection conn, LocalDate day) {
    // identifiers and bounds come from a LocalDate, never from user text
    String name = "sample_" + day.toString().replace("-", "");
    String sql = "CREATE TABLE IF NOT EXISTS " + name + " PARTITION OF sample FOR VALUES FROM ('"
        + isoDate(day) + " 00:00:00+00') TO ('" + isoDate(day.plusDays(1)) + " 00:00:00+00')";
    return Flux.from(conn.createStatement(sql).execute()).flatMap(r -> r.getRowsUpdated()).then()
        .onErrorResume(e -> isDuplicateObject(e), e -> Mono.empty())
        .doOnSuccess(v -> partitions.add(day));
  }

  /** {@code 10000-01-01}, not Java's {@code +10000-01-01}: the bound after 9999-12-31 that PostgreSQL reads. */
  private static String isoDate(LocalDate day) {
    return String.format(java.util.Locale.ROOT, "%04d-%02d-%02d", day.getYear(), day.getMonthValue(), day.getDayOfMonth());
  }

  private Mono<Void> resolveMeters(Connection conn, List<Prepared> batch) {
    TreeSet<MeterKey> missing = new TreeSet<>(Comparator.comparing(MeterKey::name)
        .thenComparing(k -> k.type().wireName()).thenComparing(MeterKey::unit));
    for (Prepared p : batch) {
      Sample s = p.sample;
      MeterKey k = new MeterKey(s.meter(), s.type(), s.unit());
      if (!meterIds.containsKey(k)) missing.add(k);
    }
    if (missing.isEmpty()) return Mono.empty();
    List<MeterKey> keys = new ArrayList<>(missing);
    Statement st = conn.createStatement("""
        INSERT INTO meter (name, type, unit)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
        ON CONFLICT ON CONSTRAINT meter_definition DO UPDATE SET name = excluded.name
        RETURNING id, name, type, unit""")
        .bind(0, keys.stream().map(MeterKey::name).toArray(String[]::new))
        .bind(1, keys.stream().map(k -> k.type().wireName()).toArray(String[]::new))
        .bind(2, keys.stream().map(MeterKey::unit).toArray(String[]::new));
    return Flux.from(st.execute())
        .flatMap(r -> r.map(row -> {
          MeterKey k = new MeterKey(row.get("name", String.class),
              SampleType.fromWireName(row.get("type", String.class)), row.get("unit", String.class));
          return Map.entry(k, row.get("id", Integer.class));
        }))
        .doOnNext(e -> put(meterIds, e.getKey(), e.getValue()))
        .then();
  }

  private Mono<Void> resolveOwners(Connection conn, List<Prepared> batch) {
    Set<OwnerKey> missing = new TreeSet<>(Comparator.comparing(OwnerKey::resourceId)
        .thenComparing(OwnerKey::userId, Comparator.nullsFirst(Comparator.naturalOrder()))
        .thenComparing(OwnerKey::projectId, Comparator.nullsFirst(Comparator.naturalOrder()))
        .thenComparing(OwnerKey::source, Comparator.nullsFirst(Comparator.naturalOrder())));
    for (Prepared p : batch) {
      OwnerKey k = owner(p.sample);
      if (!ownerIds.containsKey(k)) missing.add(k);
    }
    if (missing.isEmpty()) return Mono.empty();
    List<OwnerKey> keys = new ArrayList<>(missing);
    Statement st = conn.createStatement("""
        INSERT INTO resource (resource_id, user_id, project_id, source)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
        ON CONFLICT ON CONSTRAINT resource_owner DO UPDATE SET resource_id = excluded.resource_id
        RETURNING id, resource_id, user_id, project_id, source""")
        .bind(0, keys.stream().map(OwnerKey::resourceId).toArray(String[]::new))
        .bind(1, keys.stream().map(OwnerKey::userId).toArray(String[]::new))
        .bind(2, keys.stream().map(OwnerKey::projectId).toArray(String[]::new))
        .bind(3, keys.stream().map(OwnerKey::source).toArray(String[]::new));
    return Flux.from(st.execute())
        .flatMap(r -> r.map(row -> Map.entry(
            new OwnerKey(row.get("resource_id", String.class), row.get("user_id", String.class),
                row.get("project_id", String.class), row.get("source", String.class)),
            row.get("id", Long.class))))
        .doOnNext(e -> put(ownerIds, e.getKey(), e.getValue()))
        .then();
  }

  private Mono<Void> resolveMetadata(Connection conn, List<Prepared> batch) {
    Map<UUID, String> missing = new java.util.TreeMap<>();
    for (Prepared p : batch) {
      if (!metadataIds.containsKey(p.metadataHash)) missing.put(p.metadataHash, p.metadataJson);
    }
    if (missing.isEmpty()) return Mono.empty();
    Statement st = conn.createStatement("""
        INSERT INTO resource_metadata (hash, doc)
        SELECT h, d::jsonb FROM unnest($1::uuid[], $2::text[]) AS t(h, d)
        ON CONFLICT (hash) DO UPDATE SET hash = excluded.hash
        RETURNING id, hash""")
        .bind(0, missing.keySet().toArray(UUID[]::new))
        .bind(1, missing.values().toArray(String[]::new));
    return Flux.from(st.execute())
        .flatMap(r -> r.map(row -> Map.entry(row.get("hash", UUID.class), row.get("id", Long.class))))
        .doOnNext(e -> put(metadataIds, e.getKey(), e.getValue()))
        .then();
  }

  /** Only the rows {@code ins} returns (those actually inserted) are rolled up: a redelivery counts once. */
  private static final String ROLLUP_UPSERT = PostgresRollups.upsert("ins", "rollup_granularity");

  private Mono<Integer> insertSamples(Connection conn, List<Prepared> batch) {
    int n = batch.size();
    UUID[] ids = new UUID[n];
    Long[] times = new Long[n];
    Integer[] meters = new Integer[n];
    Long[] owners = new Long[n];
    Long[] metadata = new Long[n];
    Double[] volumes = new Double[n];
    String[] signatures = new String[n];
    for (int i = 0; i < n; i++) {
      Prepared p = batch.get(i);
      Sample s = p.sample;
      ids[i] = s.messageId();
      times[i] = EpochMicros.of(s.timestamp());
      meters[i] = require(meterIds.get(new MeterKey(s.meter(), s.type(), s.unit())), "meter");
      owners[i] = require(ownerIds.get(owner(s)), "resource");
      metadata[i] = require(metadataIds.get(p.metadataHash), "metadata");
      volumes[i] = s.volume();
      signatures[i] = s.messageSignature();
    }
    // seq follows the batch order (insertion order); rows are inserted in key order (lock order)
    Statement st = conn.createStatement("""
        WITH input AS (
          SELECT x.*, nextval('sample_seq') AS seq FROM (
            SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::int[], $4::bigint[], $5::bigint[],
                                 $6::float8[], $7::text[]) WITH ORDINALITY
              AS t(message_id, ts_us, meter_id, resource_pk, metadata_id, volume, signature, ord)
            ORDER BY ord) x
        ), ins AS (
          INSERT INTO sample (message_id, timestamp, meter_id, resource_pk, metadata_id, volume,
                              recorded_at, seq, message_signature)
          SELECT message_id,
                 timestamptz 'epoch' + (ts_us / 1000000) * interval '1 second' + (ts_us % 1000000) * interval '1 microsecond',
                 meter_id, resource_pk, metadata_id, volume, clock_timestamp(), seq, signature
          FROM input ORDER BY message_id
          ON CONFLICT DO NOTHING
          RETURNING meter_id, resource_pk, timestamp, metadata_id, seq, volume
        ), rolled AS (
          ROLLUP_UPSERT
        ), folded AS (
          INSERT INTO series (meter_id, resource_pk, first_seq, first_timestamp, last_timestamp,
                              last_metadata_id, count, sum, min, max, m2)
          SELECT DISTINCT ON (meter_id, resource_pk) meter_id, resource_pk, min(seq) OVER p,
                 min(timestamp) OVER p, timestamp, metadata_id, count(*) OVER p, sum(volume) OVER p,
                 min(volume) OVER p, max(volume) OVER p, var_pop(volume) OVER p * count(*) OVER p
          FROM ins WINDOW p AS (PARTITION BY meter_id, resource_pk)
          ORDER BY meter_id, resource_pk, timestamp DESC
          ON CONFLICT (meter_id, resource_pk) DO UPDATE SET
            SERIES_TOTALS,
            first_seq = least(series.first_seq, excluded.first_seq),
            first_timestamp = least(series.first_timestamp, excluded.first_timestamp),
            last_metadata_id = CASE WHEN excluded.last_timestamp >= series.last_timestamp
                                    THEN excluded.last_metadata_id ELSE series.last_metadata_id END,
            last_timestamp = greatest(series.last_timestamp, excluded.last_timestamp)
          RETURNING resource_pk, first_seq
        ), spanned AS (
          SPAN_UPSERT
        )
        SELECT count(*) AS stored FROM ins""".replace("ROLLUP_UPSERT", ROLLUP_UPSERT)
            .replace("SPAN_UPSERT", ResourceSpans.UPSERT).replace("SERIES_TOTALS", SeriesTotals.MERGE))
        .bind(0, ids).bind(1, times).bind(2, meters).bind(3, owners).bind(4, metadata)
        .bind(5, volumes).bind(6, signatures);
    // one statement is one implicit transaction: all rows or none
    return Flux.from(st.execute())
        .flatMap(r -> r.map(row -> row.get("stored", Long.class)))
        .next()
        .map(Long::intValue);
  }

  private static OwnerKey owner(Sample s) {
    return new OwnerKey(s.resourceId(), s.userId(), s.projectId(), s.source());
  }

  private static <T> T require(T id, String what) {
    // a cache cleared by another batch between resolve and insert: retried as transient
    if (id == null) throw new CacheMiss(what);
    return id;
  }

  private static <K, V> void put(Map<K, V> cache, K key, V value) {
    if (cache.size() >= CACHE_LIMIT) cache.clear();
    cache.put(key, value);
  }

  private static final class CacheMiss extends PostgresErrors.Conflict {
    CacheMiss(String what) {
      super("dictionary entry evicted during a write: " + what);
    }
  }


  private static boolean isMissingPartition(Throwable e) {
    return e instanceof R2dbcException r && "23514".equals(r.getSqlState())
        && String.valueOf(e.getMessage()).contains("no partition of relation");
  }

  /**
   * After an insert found a partition missing (another process's expirer dropped a span this store
   * thought it had, or the database rolls up levels its policy does not name): forgets the known
   * days and makes partitions for the database's levels too.
   */
  private Mono<Void> relearnPartitions() {
    return Mono.usingWhen(connections.create(), PostgresRollups::registered, Connection::close)
        .doOnNext(levels -> {
          Set<Long> all = new TreeSet<>(policy.granularities());
          all.addAll(levels);
          rolledUp = List.copyOf(all);
          partitions.clear();
        })
        .then();
  }

  private static boolean isDuplicateObject(Throwable e) {
    String state = e instanceof PostgresqlException p ? p.getErrorDetails().getCode()
        : e instanceof R2dbcException r ? r.getSqlState() : null;
    // concurrent CREATE TABLE IF NOT EXISTS of the same partition
    return "42P07".equals(state) || "23505".equals(state);
  }

  // ---------------------------------------------------------------- read

  private static final String SAMPLE_COLUMNS = """
      SELECT s.message_id, m.name, m.type, m.unit, s.volume, r.user_id, r.project_id, r.resource_id,
             r.source, s.timestamp, s.recorded_at, md.doc::text AS doc, s.message_signature
      FROM sample s
      JOIN meter m ON m.id = s.meter_id
      JOIN resource r ON r.id = s.resource_pk
      JOIN resource_metadata md ON md.id = s.metadata_id""";

  @Override
  public Flux<Sample> samples(SampleFilter filter, int limit) {
    return PostgresListings.resolve(this, filter)
        .flatMapMany(ids -> listing(PostgresListings.samples(json, filter, ids, limit), PostgresSampleStore::toSample));
  }

  @Override
  public Mono<Sample> sample(UUID messageId) {
    return listing(PostgresListings.sample(messageId), PostgresSampleStore::toSample).next();
  }

  @Override
  public Flux<Meter> meters(SampleFilter filter, boolean unique, int limit) {
    return PostgresListings.resolve(this, filter).flatMapMany(ids ->
        meterListing(PostgresListings.meters(json, filter, ids, unique, limit)));
  }

  private Flux<Meter> meterListing(PostgresListings.Sql sql) {
    return sql == null ? Flux.empty() : query(sql.text(), sql.binds(), PostgresSampleStore::toMeter);
  }

  @Override
  public Flux<Resource> resources(SampleFilter filter, int limit) {
    return PostgresListings.resolve(this, filter).flatMapMany(ids ->
        listing(PostgresListings.resources(json, filter, ids, limit), PostgresSampleStore::toResource));
  }

  @Override
  public Flux<Sample> range(SampleRange range, int limit) {
    if (range.matchesNothing() || limit < 1) return Flux.empty();
    PostgresListings.Sql resolution = PostgresListings.rangeResolution(range);
    Mono<PostgresListings.Sql> read = resolution == null ? Mono.fromSupplier(() -> PostgresListings.range(range, null, null, limit))
        : query(resolution.text(), resolution.binds(), row -> Optional.ofNullable(PostgresListings.range(range,
            row.get("meters", Integer[].class), row.get("owners", Long[].class), limit))).single().flatMap(Mono::justOrEmpty);
    return read.flatMapMany(sql -> listing(sql, PostgresSampleStore::toSample));
  }

  /**
   * Runs a listing statement, one round trip on a connection of the pool (no transaction: the
   * statements are written so that their plan reads about {@code limit} rows without planner
   * settings); null (the filter matches nothing) reads nothing. {@code mapper} gets each row and the
   * row's metadata document, parsed once per distinct document of the listing (a document repeats on
   * every sample of a series): the rows carry {@code metadata_id} and {@code doc}.
   */
  private <T> Flux<T> listing(PostgresListings.Sql sql, java.util.function.BiFunction<Readable, Map<String, Object>, T> mapper) {
    if (sql == null) return Flux.empty();
    return Flux.defer(() -> {
      Map<Long, Map<String, Object>> docs = new HashMap<>();
      return query(sql.text(), sql.binds(), row -> mapper.apply(row,
          docs.computeIfAbsent(row.get("metadata_id", Long.class), id -> json.readValue(row.get("doc", String.class), MAP))));
    });
  }

  /**
   * Runs a statistics statement planned for its bound values every time: the driver prepares each
   * statement once per connection, and after five runs PostgreSQL may keep a generic plan, which
   * cannot see the time bounds. It then expects a few dozen rollup rows where a meter has thousands,
   * and walks the index and sorts instead of a bitmap read and a hash aggregate (2-3x slower). The
   * setting holds for this statement's transaction only ({@code SET LOCAL}).
   */
  <T> Flux<T> statisticsQuery(String sql, List<Object> binds, Function<Readable, T> mapper) {
    return Flux.usingWhen(connections.create(), conn -> {
      Statement st = PostgresStatements.bind(conn, sql, binds);
      return Mono.from(conn.beginTransaction())
          .then(execute(conn, "SET LOCAL plan_cache_mode = force_custom_plan"))
          .thenMany(Flux.from(st.execute()).flatMap(r -> r.map(mapper::apply)))
          .concatWith(Mono.from(conn.commitTransaction()).then(Mono.empty()));
    }, Connection::close, (conn, e) -> rollbackAndClose(conn), PostgresSampleStore::rollbackAndClose)
        .onErrorMap(PostgresErrors::translate);
  }

  private static Mono<Void> rollbackAndClose(Connection conn) {
    return Mono.from(conn.rollbackTransaction()).onErrorResume(e -> Mono.empty()).then(Mono.from(conn.close()));
  }

  @Override
  public Flux<Statistics> statistics(Statistics.Query q) {
    return RollupStatistics.compute(this, planner, q);
  }

  /** Statistics from the raw samples only, never the rollups: the reference the planner must match. */
  Flux<Statistics> statisticsFromSamples(Statistics.Query q) {
    return PostgresStatistics.compute(this, q);
  }

  @Override
  public Flux<Sample> query(SampleQuery q) {
    SqlWhere where = new SqlWhere(json);
    if (q.filter() != null) where.condition(SqlExpression.toSql(q.filter(), where));
    StringBuilder order = new StringBuilder(" ORDER BY ");
    for (SampleQuery.OrderBy o : q.orderBy()) {
      order.append(SqlExpression.column(o.field())).append(o.ascending() ? " ASC, " : " DESC, ");
    }
    order.append("s.timestamp DESC, s.seq");
    String sql = SAMPLE_COLUMNS + where.sql() + order + " LIMIT " + where.bind(q.limit());
    return query(sql, where.binds(), this::toSample);
  }

  JsonMapper json() {
    return json;
  }

  <T> Flux<T> query(String sql, List<Object> binds, Function<Readable, T> mapper) {
    return PostgresStatements.query(connections, sql, binds, mapper);
  }

  private Sample toSample(Readable row) {
    return toSample(row, json.readValue(row.get("doc", String.class), MAP));
  }

  private static Sample toSample(Readable row, Map<String, Object> metadata) {
    return new Sample(
        row.get("name", String.class),
        SampleType.fromWireName(row.get("type", String.class)),
        row.get("unit", String.class),
        row.get("volume", Double.class),
        row.get("user_id", String.class),
        row.get("project_id", String.class),
        row.get("resource_id", String.class),
        instant(row.get("timestamp", OffsetDateTime.class)),
        instant(row.get("recorded_at", OffsetDateTime.class)),
        row.get("source", String.class),
        metadata,
        row.get("message_id", UUID.class),
        row.get("message_signature", String.class));
  }

  private static Meter toMeter(Readable row) {
    return new Meter(row.get("name", String.class), SampleType.fromWireName(row.get("type", String.class)),
        row.get("unit", String.class), row.get("resource_id", String.class),
        row.get("project_id", String.class), row.get("user_id", String.class), row.get("source", String.class));
  }

  private static Resource toResource(Readable row, Map<String, Object> metadata) {
    String[] meters = row.get("meters", String[].class);
    return new Resource(row.get("resource_id", String.class), row.get("project_id", String.class),
        row.get("user_id", String.class), row.get("source", String.class),
        instant(row.get("first_ts", OffsetDateTime.class)), instant(row.get("last_ts", OffsetDateTime.class)),
        metadata,
        List.copyOf(new LinkedHashSet<>(List.of(meters))));
  }

  static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }
}
