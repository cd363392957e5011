package dev.altimeter.storage.postgres;

import dev.altimeter.storage.ArchivePolicy;
import dev.altimeter.storage.Meter;
import dev.altimeter.storage.Resource;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleFilter;
import dev.altimeter.storage.SampleQuery;
import dev.altimeter.storage.SampleRange;
import dev.altimeter.storage.SampleStore;
import dev.altimeter.storage.Statistics;
import io.r2dbc.spi.ConnectionFactory;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link SampleStore} on PostgreSQL over R2DBC: the facade over its three parts, which share one
 * pool and one JSON mapper (metadata documents rendered with sorted keys, so equal documents are
 * stored once).
 *
 * <ul>
 *   <li>{@link PostgresSampleWriter}: a batch in one statement per table, the samples folded into
 *       {@code series} and {@code rollup} by the same statement (one implicit transaction);
 *   <li>{@link PostgresSampleReader}: listings, queries and statistics, and the rows' mapping;
 *   <li>{@link PostgresPartitions}: the daily sample partitions and rollup spans, made ahead and on
 *       demand, and retention, which drops them whole.
 * </ul>
 *
 * <p>Thread-safe; nothing here blocks.
 */
public final class PostgresSampleStore implements SampleStore {
  private final PostgresPartitions partitions;
  private final PostgresSampleWriter writer;
  private final PostgresSampleReader reader;

  /**
   * A store whose planner reads the default archive policy's rollups ({@link ArchivePolicy#DEFAULT});
   * {@code connections} as in {@link #PostgresSampleStore(ConnectionFactory, ArchivePolicy)}.
   */
  public PostgresSampleStore(ConnectionFactory connections) {
    this(connections, ArchivePolicy.parse("archive policy", ArchivePolicy.DEFAULT));
  }

  /**
   * @param connections connections made by {@link PostgresStorage}: the writer binds its arrays
   *     through a codec registered among their extensions (a bare factory fails every write)
   * @param policy the rollups the database holds (see {@link PostgresStorage}, which brings the
   *     database in line with it at start)
   */
  public PostgresSampleStore(ConnectionFactory connections, ArchivePolicy policy) {
    JsonMapper json = JsonMapper.builder().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();
    this.partitions = new PostgresPartitions(connections, policy);
    this.writer = new PostgresSampleWriter(connections, json, partitions);
    this.reader = new PostgresSampleReader(connections, json, policy);
  }

  // ---------------------------------------------------------------- write and maintenance

  @Override
  public Mono<Integer> write(List<Sample> samples) {
    return writer.write(samples);
  }

  /**
   * Forgets the cached dictionary ids and known partitions. Call after the tables were changed
   * behind the store's back (tests truncating them, manual repair).
   */
  public void forgetCachedIds() {
    writer.forget();
    partitions.forget();
  }

  /** Creates the daily partitions from {@code from} for {@code days} days (idempotent). */
  public Mono<Void> createPartitionsAhead(LocalDate from, int days) {
    return partitions.createAhead(from, days);
  }

  /**
   * Retention of the raw samples: drops every daily partition that lies wholly before {@code
   * cutoff}, then the series whose newest sample went with them, in one transaction ({@link
   * PostgresPartitions#expire}).
   *
   * @return the days dropped, oldest first
   */
  public Mono<List<LocalDate>> expire(Instant cutoff) {
    return partitions.expire(cutoff);
  }

  /**
   * Retention of the rollups: per level of the archive policy with a retention, drops the spans
   * that lie wholly before {@code now} minus it, in one transaction ({@link
   * PostgresPartitions#expireRollups}).
   *
   * @return the partitions dropped
   */
  public Mono<List<String>> expireRollups(Instant now) {
    return partitions.expireRollups(now);
  }

  /** The archive policy this store plans statistics with and expires rollups by. */
  public ArchivePolicy archivePolicy() {
    return partitions.policy();
  }

  // ---------------------------------------------------------------- read

  @Override
  public Flux<Sample> samples(SampleFilter filter, int limit) {
    return reader.samples(filter, limit);
  }

  @Override
  public Mono<Sample> sample(UUID messageId) {
    return reader.sample(messageId);
  }

  @Override
  public Flux<Meter> meters(SampleFilter filter, boolean unique, int limit) {
    return reader.meters(filter, unique, limit);
  }

  @Override
  public Flux<Resource> resources(SampleFilter filter, int limit) {
    return reader.resources(filter, limit);
  }

  @Override
  public Flux<Sample> range(SampleRange range, int limit) {
    return reader.range(range, limit);
  }

  @Override
  public Flux<Statistics> statistics(Statistics.Query q) {
    return reader.statistics(q);
  }

  /** Statistics from the raw samples only, never the rollups: the reference the planner must match. */
  Flux<Statistics> statisticsFromSamples(Statistics.Query q) {
    return reader.statisticsFromSamples(q);
  }

  @Override
  public Flux<Sample> query(SampleQuery q) {
    return reader.query(q);
  }

  /** The read side, for tests that run its statements (plans, bounds) directly. */
  PostgresSampleReader reader() {
    return reader;
  }
}
