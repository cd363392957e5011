package dev.altimeter.collector.pipeline.config;

import dev.altimeter.collector.config.MeterFilter;
import dev.altimeter.collector.pipeline.publish.PublisherUrl;
import java.util.List;
import java.util.Map;

/**
 * A validated pipeline.yaml or event_pipeline.yaml. Immutable.
 *
 * <p>Every (source, sink) pair the sources name is a {@link Pipeline}, named {@code source:sink}
 * ({@code name} alone when both are equal), prefixed {@code event:} in event pipelines.
 *
 * @param file the file name used in messages
 * @param sources in file order
 * @param sinks in file order
 * @param pipelines the (source, sink) pairs in source order, then sink order within a source
 */
public record PipelineConfig(String file, Kind kind, List<Source> sources, List<Sink> sinks, List<Pipeline> pipelines) {

  public PipelineConfig {
    sources = List.copyOf(sources);
    sinks = List.copyOf(sinks);
    pipelines = List.copyOf(pipelines);
  }

  /** What the pipelines carry. */
  public enum Kind {
    /** pipeline.yaml: sources select {@code meters}. */
    SAMPLE("meters", ""),
    /** event_pipeline.yaml: sources select {@code events} (event types); sinks have no transformers. */
    EVENT("events", "event:");

    private final String filterKey;
    private final String namePrefix;

    Kind(String filterKey, String namePrefix) {
      this.filterKey = filterKey;
      this.namePrefix = namePrefix;
    }

    /** The source key of the filter: {@code meters} or {@code events}. */
    public String filterKey() {
      return filterKey;
    }

    public String namePrefix() {
      return namePrefix;
    }
  }

  /**
   * @param filter of meter names or event types
   * @param sinks names of the sinks it feeds, all defined
   * @param line 1-based line of the source in the file
   */
  public record Source(String name, MeterFilter filter, List<String> sinks, int line) {
    public Source {
      sinks = List.copyOf(sinks);
    }
  }

  /**
   * @param transformers in chain order (always empty for events)
   * @param publishers at least one
   */
  public record Sink(String name, List<TransformerSpec> transformers, List<PublisherUrl> publishers, int line) {
    public Sink {
      transformers = List.copyOf(transformers);
      publishers = List.copyOf(publishers);
    }
  }

  /** A transformer entry; its parameters were validated by building it once. */
  public record TransformerSpec(String name, Map<String, Object> parameters, int line) {}

  public record Pipeline(String name, Source source, Sink sink) {}

  public Sink sink(String name) {
    for (Sink s : sinks) {
      if (s.name().equals(name)) return s;
    }
    return null;
  }
}
