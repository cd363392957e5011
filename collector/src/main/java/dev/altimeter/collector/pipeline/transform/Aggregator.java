package dev.altimeter.collector.pipeline.transform;

import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleType;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code aggregator}: merges samples of the same group until a flush finds {@code size} samples
 * aggregated or {@code retention_time} seconds elapsed (wall clock now versus the first sample's
 * timestamp).
 *
 * <p>Group key: {@code name-resource_id-<project_id/user_id values without a policy>} ({@code
 * <undefined>} for null). {@code project_id} / {@code user_id} with a policy ({@code first|last}) are
 * merged instead of grouped; {@code resource_metadata} is always merged ({@code last} default,
 * {@code first}, or {@code drop} to empty it). The first sample of a group is converted as
 * unit_conversion does; each next one replaces the volume (cumulative input) or adds to it
 * (others), after scaling; {@code last} policies and {@code timestamp: last} overwrite. On release
 * gauge outputs are averaged (sum / count of their group) and all state is reset.
 *
 * <p>Bound: at most {@code maxGroups} groups; a sample opening a group beyond that is refused and
 * counted in {@link #evictions()}. Deviations from Ceilometer: counts are kept per input group key
 * (Ceilometer recomputes the key from the renamed output and can divide by zero), and unknown
 * policies are rejected instead of defaulting to {@code last}.
 */
final class Aggregator implements Transformer {
  private static final class Group {
    String name;
    String unit;
    SampleType type;
    double volume;
    String userId;
    String projectId;
    Instant timestamp;
    Map<String, Object> metadata;
    final Sample first;
    int count;

    Group(Sample first) {
      this.first = first;
    }
  }

  private final Scaling scaling;
  private final Integer size;
  private final Double retentionSeconds;
  private final String projectPolicy;
  private final String userPolicy;
  private final String metadataPolicy;
  private final boolean lastTimestamp;
  private final int maxGroups;
  private final Clock clock;
  private final Map<String, Group> groups = new LinkedHashMap<>();
  private Instant initialTimestamp;
  private int aggregated;
  private long refused;

  private Aggregator(Scaling scaling, Integer size, Double retentionSeconds, String projectPolicy,
      String userPolicy, String metadataPolicy, boolean lastTimestamp, int maxGroups, Clock clock) {
    this.scaling = scaling;
    this.size = size;
    this.retentionSeconds = retentionSeconds;
    this.projectPolicy = projectPolicy;
    this.userPolicy = userPolicy;
    this.metadataPolicy = metadataPolicy;
    this.lastTimestamp = lastTimestamp;
    this.maxGroups = maxGroups;
    this.clock = clock;
  }

  static Aggregator create(Parameters p, int maxGroups, Clock clock) {
    p.rejectUnknown("size", "retention_time", "project_id", "user_id", "resource_metadata", "timestamp",
        "source", "target");
    Integer size = p.integer("size");
    if (size != null && size < 0) throw p.error("size", "must not be negative, got " + size);
    if (size != null && size == 0) size = null;
    Double retention = p.number("retention_time");
    if (retention != null && retention < 0) throw p.error("retention_time", "must not be negative, got " + retention);
    if (retention != null && retention == 0) retention = null;
    if (size == null && retention == null) size = 1;
    String project = p.oneOf("project_id", "first", "last");
    String user = p.oneOf("user_id", "first", "last");
    String metadata = p.oneOf("resource_metadata", "first", "last", "drop");
    String timestamp = p.oneOf("timestamp", "first", "last");
    return new Aggregator(new Scaling(p, null), size, retention, project, user,
        metadata == null ? "last" : metadata, "last".equals(timestamp), maxGroups, clock);
  }

  @Override
  public String name() {
    return "aggregator";
  }

  private String key(Sample s) {
    StringBuilder k = new StringBuilder().append(s.meter()).append('-').append(s.resourceId()).append('-');
    boolean sep = false;
    if (projectPolicy == null) {
      k.append(s.projectId() == null ? "<undefined>" : s.projectId());
      sep = true;
    }
    if (userPolicy == null) {
      if (sep) k.append('-');
      k.append(s.userId() == null ? "<undefined>" : s.userId());
    }
    return k.toString();
  }

  @Override
  public List<Sample> handle(Sample s) {
    if (!scaling.appliesTo(s)) return List.of(s);
    String key = key(s);
    Group g = groups.get(key);
    if (g == null) {
      if (groups.size() >= maxGroups) {
        refused++;
        return List.of();
      }
      Sample c = scaling.convert(s, 1);
      g = new Group(s);
      g.name = c.meter();
      g.unit = c.unit();
      g.type = c.type();
      g.volume = c.volume();
      g.userId = c.userId();
      g.projectId = c.projectId();
      g.timestamp = c.timestamp();
      g.metadata = "drop".equals(metadataPolicy) ? Map.of() : c.resourceMetadata();
      groups.put(key, g);
    } else {
      if (lastTimestamp) g.timestamp = s.timestamp();
      if (s.type() == SampleType.CUMULATIVE) {
        g.volume = scaling.scale(s);
      } else {
        g.volume += scaling.scale(s);
      }
      if ("last".equals(projectPolicy)) g.projectId = s.projectId();
      if ("last".equals(userPolicy)) g.userId = s.userId();
      if ("last".equals(metadataPolicy)) g.metadata = s.resourceMetadata();
    }
    if (initialTimestamp == null) initialTimestamp = s.timestamp();
    g.count++;
    aggregated++;
    return List.of();
  }

  @Override
  public List<Sample> flush() {
    if (initialTimestamp == null) return List.of();
    boolean expired = retentionSeconds != null
        && RateOfChange.seconds(initialTimestamp, clock.instant()) > retentionSeconds;
    boolean full = size != null && aggregated >= size;
    if (!full && !expired) return List.of();
    List<Sample> out = new ArrayList<>(groups.size());
    for (Group g : groups.values()) {
      double volume = g.type == SampleType.GAUGE ? g.volume / g.count : g.volume;
      Sample f = g.first;
      UUID id = Scaling.derivedId(f.messageId(), "aggregator/" + g.name + "/" + g.count);
      out.add(new Sample(g.name, g.type, g.unit, volume, g.userId, g.projectId, f.resourceId(), g.timestamp,
          null, f.source(), g.metadata, id, null));
    }
    groups.clear();
    aggregated = 0;
    initialTimestamp = null;
    return out;
  }

  @Override
  public long evictions() {
    return refused;
  }
}
