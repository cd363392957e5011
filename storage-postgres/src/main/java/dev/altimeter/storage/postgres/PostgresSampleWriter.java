package dev.altimeter.storage.postgres;

import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.Statement;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The write side of the sample store: one batch of samples into {@code sample}, folded into
 * {@code series} and {@code rollup} by the same statement.
 *
 * <p>A batch is written in one round trip per table on one pooled connection: its days' partitions
 * are made first ({@link PostgresPartitions#ensure}); dictionary rows (meter, resource owner,
 * metadata document) are resolved through in-memory caches and upserted in bulk on a miss; the
 * samples go in as one {@code INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING} that also
 * folds the rows it inserted into {@code series} and {@code rollup} (per series, and per meter over
 * all owners: {@link PostgresRollups#upsert}): one statement, so one implicit
 * transaction, all rows or none. Rows are upserted in key order so concurrent batches lock in the
 * same order. Deadlocks, serialization failures, a cache entry evicted mid-write, a cached id whose
 * row is gone (a foreign key violation: the caches are cleared) and a partition found missing are
 * retried ({@link PostgresErrors#RETRY}); other errors are translated to {@code
 * StoreException}s.
 *
 * <p>Contract. Thread-safe: the caches are {@link DictionaryIds} of {@link #CACHE_LIMIT} entries
 * each (bounded memory, ids of committed upserts only); an id evicted between resolution and insert
 * fails the attempt as a transient conflict. Units: timestamps go to PostgreSQL as epoch
 * microseconds; metadata documents are keyed by the SHA-256 based {@link #hash} of their JSON with
 * keys sorted.
 */
final class PostgresSampleWriter {
  /** Dictionary caches are cleared when they grow past this many entries (bounded memory). */
  static final int CACHE_LIMIT = 200_000;

  private final ConnectionFactory connections;
  /** Renders metadata documents with sorted keys, so equal documents hash alike. */
  private final JsonMapper json;
  private final PostgresPartitions partitions;
  private final DictionaryIds<MeterKey, Integer> meterIds = new DictionaryIds<>(CACHE_LIMIT);
  private final DictionaryIds<OwnerKey, Long> ownerIds = new DictionaryIds<>(CACHE_LIMIT);
  private final DictionaryIds<UUID, Long> metadataIds = new DictionaryIds<>(CACHE_LIMIT);

  PostgresSampleWriter(ConnectionFactory connections, JsonMapper json, PostgresPartitions partitions) {
    this.connections = connections;
    this.json = json;
    this.partitions = partitions;
  }

  record MeterKey(String name, SampleType type, String unit) {}

  record OwnerKey(String resourceId, String userId, String projectId, String source) {}

  /** A sample with its metadata document rendered and hashed once. */
  private record Prepared(Sample sample, UUID metadataHash, String metadataJson) {}

  /** Writes {@code samples}; the Mono gives how many were new (a redelivered message id is skipped). */
  Mono<Integer> write(List<Sample> samples) {
    if (samples.isEmpty()) return Mono.just(0);
    return Mono.fromCallable(() -> prepare(samples))
        .flatMap(prepared -> Mono.usingWhen(connections.create(),
            conn -> Mono.defer(() -> partitions.ensure(conn, samples))
                .then(Mono.defer(() -> resolveMeters(conn, prepared)))
                .then(Mono.defer(() -> resolveOwners(conn, prepared)))
                .then(Mono.defer(() -> resolveMetadata(conn, prepared)))
                .then(Mono.defer(() -> insertSamples(conn, prepared))),
            Connection::close))
        // the writer's ids are all resolved by it: a foreign key violation means a cached id names a row
        // no longer there (the dictionaries restored or emptied behind the store's back)
        .onErrorMap(PostgresSampleWriter::isForeignKeyViolation, e -> {
          forget();
          return new CacheMiss("an id no longer in the database, caches cleared (" + e.getMessage() + ")");
        })
        // a deadlock or serialization failure between concurrent batches is retried, and so is an
        // insert that found a partition missing, after learning the database's levels afresh
        .retryWhen(PostgresErrors.RETRY.filter(e -> PostgresErrors.isConflict(e) || PostgresPartitions.isMissingPartition(e))
            .doBeforeRetryAsync(retry -> PostgresPartitions.isMissingPartition(retry.failure()) ? partitions.relearn() : Mono.empty()))
        .onErrorMap(PostgresErrors::translate);
  }

  /** Forgets the cached dictionary ids. */
  void forget() {
    meterIds.forget();
    ownerIds.forget();
    metadataIds.forget();
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

  /** The key of a metadata document: the first 16 bytes of the SHA-256 of its UTF-8 JSON. */
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

  private Mono<Void> resolveMeters(Connection conn, List<Prepared> batch) {
    TreeSet<MeterKey> missing = new TreeSet<>(Comparator.comparing(MeterKey::name)
        .thenComparing(k -> k.type().wireName()).thenComparing(MeterKey::unit));
    for (Prepared p : batch) {
      Sample s = p.sample;
      MeterKey k = new MeterKey(s.meter(), s.type(), s.unit());
      if (!meterIds.contains(k)) missing.add(k);
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
    return meterIds.remember(Flux.from(st.execute())
        .flatMap(r -> r.map(row -> {
          MeterKey k = new MeterKey(row.get("name", String.class),
              SampleType.fromWireName(row.get("type", String.class)), row.get("unit", String.class));
          return Map.entry(k, row.get("id", Integer.class));
        })));
  }

  private Mono<Void> resolveOwners(Connection conn, List<Prepared> batch) {
    Set<OwnerKey> missing = new TreeSet<>(Comparator.comparing(OwnerKey::resourceId)
        .thenComparing(OwnerKey::userId, Comparator.nullsFirst(Comparator.naturalOrder()))
        .thenComparing(OwnerKey::projectId, Comparator.nullsFirst(Comparator.naturalOrder()))
        .thenComparing(OwnerKey::source, Comparator.nullsFirst(Comparator.naturalOrder())));
    for (Prepared p : batch) {
      OwnerKey k = owner(p.sample);
      if (!ownerIds.contains(k)) missing.add(k);
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
    return ownerIds.remember(Flux.from(st.execute())
        .flatMap(r -> r.map(row -> Map.entry(
            new OwnerKey(row.get("resource_id", String.class), row.get("user_id", String.class),
                row.get("project_id", String.class), row.get("source", String.class)),
            row.get("id", Long.class)))));
  }

  private Mono<Void> resolveMetadata(Connection conn, List<Prepared> batch) {
    Map<UUID, String> missing = new java.util.TreeMap<>();
    for (Prepared p : batch) {
      if (!metadataIds.contains(p.metadataHash)) missing.put(p.metadataHash, p.metadataJson);
    }
    if (missing.isEmpty()) return Mono.empty();
    Statement st = conn.createStatement("""
        INSERT INTO resource_metadata (hash, doc)
        SELECT h, d::jsonb FROM unnest($1::uuid[], $2::text[]) AS t(h, d)
        ON CONFLICT (hash) DO UPDATE SET hash = excluded.hash
        RETURNING id, hash""")
        .bind(0, missing.keySet().toArray(UUID[]::new))
        .bind(1, missing.values().toArray(String[]::new));
    return metadataIds.remember(Flux.from(st.execute())
        .flatMap(r -> r.map(row -> Map.entry(row.get("hash", UUID.class), row.get("id", Long.class)))));
  }

  /**
   * Only the rows {@code ins} returns (those actually inserted) are rolled up: a redelivery counts
   * once. {@code $8} is the batch's all-owners shard.
   */
  private static final String ROLLUP_UPSERT = PostgresRollups.upsert("ins", "rollup_granularity", "$8");

  /**
   * Picks the all-owners shard of each batch (modulo {@link PostgresRollups#ALL_OWNERS_SHARDS}): the
   * batches in flight at once take different shards, so they do not wait on each other's lock of a
   * meter's bucket. Starts anywhere, so that the writers of several nodes spread out too.
   */
  private final AtomicInteger batches = new AtomicInteger(ThreadLocalRandom.current().nextInt());

  /** Only the rows {@code ins} returns (those actually inserted) are folded into their series. */
  private static final String SERIES_UPSERT = seriesUpsert("ins");

  /**
   * The batch's statement (binds: message ids, epoch microseconds, meter ids, resource owner ids,
   * metadata ids, volumes, signatures, the all-owners shard). seq follows the batch order (insertion
   * order); rows are inserted in key order (lock order), and of two copies of one message in the
   * batch the first (lower seq) is kept: ties broken by seq. Only the rows {@code ins} returns (those
   * actually inserted) are folded into series, rollups and spans. Built once, not per batch (its
   * replacements and the driver's parse of a new text showed in the service's profile).
   */
  private static final String INSERT_SAMPLES = """
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
        FROM input ORDER BY message_id, seq
        ON CONFLICT DO NOTHING
        RETURNING meter_id, resource_pk, timestamp, metadata_id, seq, volume
      ), rolled AS (
        ROLLUP_UPSERT
      ), folded AS (
        SERIES_UPSERT
        RETURNING resource_pk, first_seq
      ), spanned AS (
        SPAN_UPSERT
      )
      SELECT count(*) AS stored FROM ins""".replace("ROLLUP_UPSERT", ROLLUP_UPSERT)
          .replace("SPAN_UPSERT", ResourceSpans.UPSERT).replace("SERIES_UPSERT", SERIES_UPSERT);

  /**
   * {@code INSERT INTO series} of the rows of {@code samples} (columns meter_id, resource_pk,
   * timestamp, metadata_id, seq, volume): per series its first seq and time, its newest sample's time
   * and metadata, and its totals, merged into the stored row ({@link SeriesTotals#MERGE}; the newest
   * metadata is the one of the greatest timestamp). Rows in key order, as every upsert of the write
   * path. Also run by bulk loads over stored samples ({@link SampleDerivations}).
   */
  static String seriesUpsert(String samples) {
    return """
        INSERT INTO series (meter_id, resource_pk, first_seq, first_timestamp, last_timestamp,
                            last_metadata_id, count, sum, min, max, m2)
        SELECT DISTINCT ON (meter_id, resource_pk) meter_id, resource_pk, min(seq) OVER p,
               min(timestamp) OVER p, timestamp, metadata_id, count(*) OVER p, sum(volume) OVER p,
               min(volume) OVER p, max(volume) OVER p, var_pop(volume) OVER p * count(*) OVER p
        FROM %s WINDOW p AS (PARTITION BY meter_id, resource_pk)
        ORDER BY meter_id, resource_pk, timestamp DESC
        ON CONFLICT (meter_id, resource_pk) DO UPDATE SET
          SERIES_TOTALS,
          first_seq = least(series.first_seq, excluded.first_seq),
          first_timestamp = least(series.first_timestamp, excluded.first_timestamp),
          last_metadata_id = CASE WHEN excluded.last_timestamp >= series.last_timestamp
                                  THEN excluded.last_metadata_id ELSE series.last_metadata_id END,
          last_timestamp = greatest(series.last_timestamp, excluded.last_timestamp)""".formatted(samples)
        .replace("SERIES_TOTALS", SeriesTotals.MERGE);
  }

  private Mono<Integer> insertSamples(Connection conn, List<Prepared> batch) {
    int n = batch.size();
    UUID[] ids = new UUID[n];
    long[] times = new long[n];
    int[] meters = new int[n];
    long[] owners = new long[n];
    long[] metadata = new long[n];
    double[] volumes = new double[n];
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
    // in binary (BinaryArrays): the driver would format each number and UUID to text, the server parse it back
    Statement st = conn.createStatement(INSERT_SAMPLES)
        .bind(0, new BinaryArrays.UuidArray(ids)).bind(1, new BinaryArrays.Int8Array(times))
        .bind(2, new BinaryArrays.Int4Array(meters)).bind(3, new BinaryArrays.Int8Array(owners))
        .bind(4, new BinaryArrays.Int8Array(metadata)).bind(5, new BinaryArrays.Float8Array(volumes))
        .bind(6, new BinaryArrays.TextArray(signatures))
        .bind(7, Math.floorMod(batches.getAndIncrement(), PostgresRollups.ALL_OWNERS_SHARDS));
    // one statement is one implicit transaction: all rows or none
    return Flux.from(st.execute())
        .flatMap(r -> r.map(row -> row.get("stored", Long.class)))
        .next()
        .map(Long::intValue);
  }

  private static OwnerKey owner(Sample s) {
    return new OwnerKey(s.resourceId(), s.userId(), s.projectId(), s.source());
  }

  private static boolean isForeignKeyViolation(Throwable e) {
    return e instanceof R2dbcException r && "23503".equals(r.getSqlState());
  }

  private static <T> T require(T id, String what) {
    // a cache cleared by another batch between resolve and insert: retried as transient
    if (id == null) throw new CacheMiss(what);
    return id;
  }

  private static final class CacheMiss extends PostgresErrors.Conflict {
    CacheMiss(String what) {
      super("dictionary entry evicted during a write: " + what);
    }
  }
}
