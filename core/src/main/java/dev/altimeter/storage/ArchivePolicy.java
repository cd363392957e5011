package dev.altimeter.storage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which rollups the store keeps, as Gnocchi's archive policies: a list of {@code
 * granularity:retention} levels, e.g. {@code 1m:30d, 1h:400d, 1d:forever}. Every level keeps, per
 * series (meter x resource owner) and bucket of its granularity, the count, sum, min, max, the sum
 * of squared deviations and the first and last sample times.
 *
 * <p>Buckets are aligned to the Unix epoch. Levels are kept finest first; each granularity is a
 * whole number of seconds and a multiple of the finer ones, so coarse buckets nest in fine ones
 * (the statistics planner reads a range's edges from a finer level).
 *
 * <p>{@code none} keeps no rollups: statistics are computed from the raw samples (the write path
 * then does no rollup work; for measuring what rollups cost, or a store only listed from).
 *
 * @param levels finest first; empty for {@code none}
 */
public record ArchivePolicy(List<Level> levels) {
  /** 1-minute and 1-hour rollups, kept as long as the raw samples. */
  public static final String DEFAULT = "1m:forever, 1h:forever";
  private static final int MAX_LEVELS = 6;
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})([smhdw])");

  /**
   * One level.
   *
   * @param granularitySeconds the bucket length
   * @param retention how long its buckets are kept; {@code null} forever
   */
  public record Level(long granularitySeconds, Duration retention) {}

  /** No rollups. */
  public static final String NONE = "none";

  public ArchivePolicy {
    levels = List.copyOf(levels);
  }

  /** The granularities in seconds, finest first. */
  public List<Long> granularities() {
    return levels.stream().map(Level::granularitySeconds).toList();
  }

  /**
   * Parses {@code 1m:30d, 1h:400d, 1d:forever} (units s, m, h, d, w; retention {@code forever}), or
   * {@code none}.
   *
   * @param property the setting's name, for the error message
   * @throws IllegalArgumentException naming the property and the offending level
   */
  public static ArchivePolicy parse(String property, String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(property + ": empty archive policy (say 'none' for no rollups)");
    }
    if (text.strip().equalsIgnoreCase(NONE)) return new ArchivePolicy(List.of());
    List<Level> levels = new ArrayList<>();
    for (String part : text.split(",")) {
      String level = part.strip();
      String[] gr = level.split(":", -1);
      if (gr.length != 2) {
        throw new IllegalArgumentException(property + ": '" + level + "' is not granularity:retention (e.g. 1h:400d)");
      }
      long g = seconds(property, level, gr[0].strip());
      String r = gr[1].strip();
      Duration retention = r.equalsIgnoreCase("forever") ? null : Duration.ofSeconds(seconds(property, level, r));
      if (retention != null && retention.getSeconds() < g) {
        throw new IllegalArgumentException(property + ": '" + level + "' keeps less than one bucket");
      }
      if (!levels.isEmpty()) {
        long finer = levels.get(levels.size() - 1).granularitySeconds();
        if (g <= finer || g % finer != 0) {
          throw new IllegalArgumentException(property + ": '" + level + "': each granularity must be a multiple of"
              + " the one before it (" + finer + " s), finest first");
        }
      }
      levels.add(new Level(g, retention));
    }
    if (levels.size() > MAX_LEVELS) {
      throw new IllegalArgumentException(property + ": at most " + MAX_LEVELS + " levels, got " + levels.size());
    }
    return new ArchivePolicy(levels);
  }

  private static long seconds(String property, String level, String text) {
    Matcher m = DURATION.matcher(text.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(property + ": '" + level + "': '" + text
          + "' is not a duration (a number and s, m, h, d or w, e.g. 5m)");
    }
    long n = Long.parseLong(m.group(1));
    long unit = switch (m.group(2)) {
      case "s" -> 1;
      case "m" -> 60;
      case "h" -> 3600;
      case "d" -> 86_400;
      default -> 604_800;
    };
    if (n == 0) throw new IllegalArgumentException(property + ": '" + level + "': '" + text + "' must be positive");
    return n * unit;
  }
}
