package dev.altimeter.storage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The simple-query filter of the v2 API, AND-ed: every non-null field must match. A field set to
 * {@link #NULL} matches samples where it is absent (Ceilometer's {@code 'None'}).
 *
 * <p>Timestamp bounds keep their strictness: {@code startInclusive} distinguishes {@code ge} from
 * {@code gt}. Metadata conditions compare the value at a dotted path of {@code resource_metadata}
 * with a typed JSON value ({@code String}, {@code Long}, {@code Double}, {@code Boolean}).
 */
public record SampleFilter(
    String meter,
    String userId,
    String projectId,
    String resourceId,
    String source,
    String messageId,
    Instant start,
    boolean startInclusive,
    Instant end,
    boolean endInclusive,
    List<MetadataCondition> metadata) {

  /** The marker value that asks for "field is null". */
  public static final String NULL = "\u0000null";

  public static final SampleFilter ALL = builder().build();

  public SampleFilter {
    metadata = List.copyOf(metadata);
  }

  /** Equality on one metadata path, e.g. {@code instance_type} or {@code image.name}. */
  public record MetadataCondition(String path, Object value) {}

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.meter = meter;
    b.userId = userId;
    b.projectId = projectId;
    b.resourceId = resourceId;
    b.source = source;
    b.messageId = messageId;
    b.start = start;
    b.startInclusive = startInclusive;
    b.end = end;
    b.endInclusive = endInclusive;
    b.metadata.addAll(metadata);
    return b;
  }

  /** Mutable builder; not thread-safe. */
  public static final class Builder {
    private String meter;
    private String userId;
    private String projectId;
    private String resourceId;
    private String source;
    private String messageId;
    private Instant start;
    private boolean startInclusive = true;
    private Instant end;
    private boolean endInclusive = true;
    private final List<MetadataCondition> metadata = new ArrayList<>();

    public Builder meter(String v) { meter = v; return this; }
    public Builder userId(String v) { userId = v; return this; }
    public Builder projectId(String v) { projectId = v; return this; }
    public Builder resourceId(String v) { resourceId = v; return this; }
    public Builder source(String v) { source = v; return this; }
    public Builder messageId(String v) { messageId = v; return this; }
    public Builder start(Instant v, boolean inclusive) { start = v; startInclusive = inclusive; return this; }
    public Builder end(Instant v, boolean inclusive) { end = v; endInclusive = inclusive; return this; }
    public Builder metadata(String path, Object value) { metadata.add(new MetadataCondition(path, value)); return this; }

    public SampleFilter build() {
      return new SampleFilter(meter, userId, projectId, resourceId, source, messageId, start,
          startInclusive, end, endInclusive, metadata);
    }
  }
}
