package dev.altimeter.storage.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * What the write path keeps beside the samples, derived from samples already stored, with the
 * store's own statements: for loads that bypass {@link PostgresSampleStore#write} (the query
 * benchmark's COPY load). Run {@link #rollups} and {@link #series} once over every partition of
 * samples stored without their derivations (in any order: both merge into what is there, as the
 * write path merges batch after batch), then {@link #resourceSpans} once; the tables are then those
 * the write path leaves, up to the rounding of sums and m2 (the write path merges them batch by
 * batch, a partition here at once). The partitions must exist ({@link
 * PostgresSampleStore#createPartitionsAhead}) and nothing may write meanwhile.
 */
public final class SampleDerivations {
  private SampleDerivations() {}

  /**
   * Folds the rows of {@code samples} (a table with the columns of {@code sample}: itself or one of
   * its partitions; an identifier, never user text) into the rollups of every registered
   * granularity: {@link PostgresRollups#upsert}, as an archive-policy change runs it.
   */
  public static String rollups(String samples) {
    return PostgresRollups.upsert(samples, "rollup_granularity", "0");
  }

  /** Folds the rows of {@code samples} into their series: the write path's own series upsert. */
  public static String series(String samples) {
    return PostgresSampleWriter.seriesUpsert(samples);
  }

  /** Every resource owner's span from its series: the backfill of migration V11. */
  public static String resourceSpans() {
    return migrationStatement("V11__resource_span.sql", "INSERT INTO resource_span");
  }

  /** The key the writer gives a metadata document rendered as {@code json} (its dictionary's hash). */
  public static UUID metadataHash(String json) {
    return PostgresSampleWriter.hash(json);
  }

  /** The statement of a migration that starts with {@code prefix} (its comments left out). */
  static String migrationStatement(String migration, String prefix) {
    String path = "db/migration/altimeter/" + migration;
    try (InputStream in = SampleDerivations.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) throw new IllegalStateException("no migration " + path);
      String sql = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
          .filter(line -> !line.stripLeading().startsWith("--")).collect(Collectors.joining("\n"));
      return Arrays.stream(sql.split(";")).map(String::strip).filter(s -> s.startsWith(prefix)).findFirst()
          .orElseThrow(() -> new IllegalStateException(path + " has no statement " + prefix));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
