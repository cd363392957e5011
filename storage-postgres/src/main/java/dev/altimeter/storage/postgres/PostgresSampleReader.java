package dev.altimeter.storage.postgres;

import dev.altimeter.storage.ArchivePolicy;
import dev.altimeter.storage.Meter;
import dev.altimeter.storage.Resource;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.SampleQuery;
import dev.altimeter.storage.SampleRange;
import dev.altimeter.storage.SampleType;
import dev.altimeter.storage.Statistics;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The read side of the sample store: runs the statements of {@link PostgresListings} (samples,
 * meters, resources, ranges), of {@link SqlExpression} (complex queries) and of {@link
 * RollupStatistics} / {@link PostgresStatistics}, and maps their rows to the model.
 *
 * <p>Contract. Thread-safe and stateless but for its planner (immutable). Every read takes a
 * connection of the pool for one statement and releases it when the rows are consumed or the
 * subscription ends; only {@link #statisticsQuery} opens a transaction (for its {@code SET
 * LOCAL}). Errors are translated to {@code StoreException}s. Units: the database's timestamps are
 * {@code timestamptz} read as {@link Instant}s; the retention horizons are epoch microseconds.
 */
final class PostgresSampleReader {
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private static final String SAMPLE_COLUMNS = """
      SELECT s.message_id, m.name, m.type, m.unit, s.volume, r.user_id, r.project_id, r.resource_id,
             r.source, s.timestamp, s.recorded_at, md.doc::text AS doc, s.message_signature
      FROM sample s
      JOIN meter m ON m.id = s.meter_id
      JOIN resource r ON r.id = s.resource_pk
      JOIN resource_metadata md ON md.id = s.metadata_id""";

  private final ConnectionFactory connections;
  /** Reads metadata documents and renders the JSON values bound by filters. */
  private final JsonMapper json;
  private final RollupPlanner planner;

  /** @param policy the rollups the database holds, which statistics are planned with */
  PostgresSampleReader(ConnectionFactory connections, JsonMapper json, ArchivePolicy policy) {
    this.connections = connections;
    this.json = json;
    this.planner = new RollupPlanner(policy.granularities());
  }

  Flux<Sample> samples(SampleFilter filter, int limit) {
    return PostgresListings.resolve(this, filter)
        .flatMapMany(ids -> listing(PostgresListings.samples(json, filter, ids, limit), PostgresSampleReader::toSample));
  }

  Mono<Sample> sample(UUID messageId) {
    return listing(PostgresListings.sample(messageId), PostgresSampleReader::toSample).next();
  }

  Flux<Meter> meters(SampleFilter filter, boolean unique, int limit) {
    return PostgresListings.resolve(this, filter).flatMapMany(ids ->
        meterListing(PostgresListings.meters(json, filter, ids, unique, limit)));
  }

  private Flux<Meter> meterListing(PostgresListings.Sql sql) {
    return sql == null ? Flux.empty() : query(sql.text(), sql.binds(), PostgresSampleReader::toMeter);
  }

  Flux<Resource> resources(SampleFilter filter, int limit) {
    return PostgresListings.resolve(this, filter).flatMapMany(ids ->
        listing(PostgresListings.resources(json, filter, ids, limit), PostgresSampleReader::toResource));
  }

  Flux<Sample> range(SampleRange range, int limit) {
    if (range.matchesNothing() || limit < 1) return Flux.empty();
    PostgresListings.Sql resolution = PostgresListings.rangeResolution(range);
    Mono<PostgresListings.Sql> read = resolution == null ? Mono.fromSupplier(() -> PostgresListings.range(range, null, null, limit))
        : query(resolution.text(), resolution.binds(), row -> Optional.ofNullable(PostgresListings.range(range,
            row.get("meters", Integer[].class), row.get("owners", Long[].class), limit))).single().flatMap(Mono::justOrEmpty);
    return read.flatMapMany(sql -> listing(sql, PostgresSampleReader::toSample));
  }

  /**
   * Runs a listing statement, one round trip on a connection of the pool (no transaction: the
   * statements are written so that their plan reads about {@code limit} rows without planner
   * settings); null (the filter matches nothing) reads nothing. {@code mapper} gets each row and the
   * row's metadata document, parsed once per distinct document of the listing (a document repeats on
   * every sample of a series): the rows carry {@code metadata_id} and {@code doc}.
   */
  private <T> Flux<T> listing(PostgresListings.Sql sql, BiFunction<Readable, Map<String, Object>, T> mapper) {
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
   * and walks the index and sorts instead of a bitmap read and a hash aggregate (2-3x slower). JIT is
   * off for it too: a rollup read over a long range passes jit_above_cost (100,000; one meter's 17,000
   * hourly buckets are estimated at ~8,400, a month of them at ~40 times that), and on a server built
   * with LLVM (the embedded one is not) compiling costs tens of milliseconds, more than such a
   * statement runs. Both settings hold for this
   * statement's transaction only ({@code SET LOCAL}), sent in one round trip.
   */
  <T> Flux<T> statisticsQuery(String sql, List<Object> binds, Function<Readable, T> mapper) {
    return Flux.usingWhen(connections.create(), conn -> {
      Statement st = PostgresStatements.bind(conn, sql, binds);
      return Mono.from(conn.beginTransaction())
          .then(PostgresStatements.execute(conn, "SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL jit = off"))
          .thenMany(Flux.from(st.execute()).flatMap(r -> r.map(mapper::apply)))
          .concatWith(Mono.from(conn.commitTransaction()).then(Mono.empty()));
    }, Connection::close, (conn, e) -> rollbackAndClose(conn), PostgresSampleReader::rollbackAndClose)
        .onErrorMap(PostgresErrors::translate);
  }

  private static Mono<Void> rollbackAndClose(Connection conn) {
    return Mono.from(conn.rollbackTransaction()).onErrorResume(e -> Mono.empty()).then(Mono.from(conn.close()));
  }

  /** Statistics from the rollups where the planner finds them exact, else from the raw samples. */
  Flux<Statistics> statistics(Statistics.Query q) {
    return RollupStatistics.compute(this, planner, q);
  }

  /** Statistics from the raw samples only, never the rollups: the reference the planner must match. */
  Flux<Statistics> statisticsFromSamples(Statistics.Query q) {
    return PostgresStatistics.compute(this, q);
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

  Flux<Sample> query(SampleQuery q) {
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

  /** One statement on a connection of the pool ({@link PostgresStatements#query}). */
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
