package dev.altimeter.collector.pipeline.transform;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The transformers a pipeline.yaml may name, by Ceilometer name: {@code unit_conversion},
 * {@code rate_of_change}, {@code delta}, {@code accumulator}, {@code aggregator}, {@code arithmetic}.
 *
 * <p>{@link #create} validates parameters and builds a fresh instance (one per sink; instances are
 * not shared). Immutable and thread-safe.
 *
 * <p>Entry point: {@code TransformerCatalog.standard()} (10,000 resources of state per stateful
 * transformer, system UTC clock) or {@link #standard(int, Clock)}.
 */
public final class TransformerCatalog {
  /** Default bound of per-resource state of each stateful transformer. */
  public static final int DEFAULT_MAX_RESOURCES = 10_000;

  private final Map<String, TransformerFactory> factories;

  private TransformerCatalog(Map<String, TransformerFactory> factories) {
    this.factories = Map.copyOf(factories);
  }

  public static TransformerCatalog standard() {
    return standard(DEFAULT_MAX_RESOURCES, Clock.systemUTC());
  }

  /**
   * @param maxResources bound of per-resource state (rate_of_change, delta, arithmetic entries,
   *     aggregator groups) and of the accumulator size
   * @param clock wall clock of the aggregator's {@code retention_time}
   */
  public static TransformerCatalog standard(int maxResources, Clock clock) {
    Map<String, TransformerFactory> f = new LinkedHashMap<>();
    add(f, "unit_conversion", p -> UnitConversion.create(Parameters.of(p)));
    add(f, "rate_of_change", p -> RateOfChange.create(Parameters.of(p), maxResources));
    add(f, "delta", p -> Delta.create(Parameters.of(p), maxResources));
    add(f, "accumulator", p -> Accumulator.create(Parameters.of(p), maxResources));
    add(f, "aggregator", p -> Aggregator.create(Parameters.of(p), maxResources, clock));
    add(f, "arithmetic", p -> Arithmetic.create(Parameters.of(p), maxResources));
    return new TransformerCatalog(f);
  }

  private interface Creator {
    Transformer create(Map<String, Object> parameters);
  }

  private static void add(Map<String, TransformerFactory> f, String name, Creator c) {
    f.put(name, new TransformerFactory() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Transformer create(Map<String, Object> parameters) {
        return c.create(parameters == null ? Map.of() : parameters);
      }
    });
  }

  /** A catalog with {@code factory} added (or replacing the one of the same name). */
  public TransformerCatalog with(TransformerFactory factory) {
    Map<String, TransformerFactory> f = new LinkedHashMap<>(factories);
    f.put(factory.name(), factory);
    return new TransformerCatalog(f);
  }

  public Set<String> names() {
    return factories.keySet();
  }

  public boolean contains(String name) {
    return factories.containsKey(name);
  }

  /**
   * Builds a transformer.
   *
   * @throws IllegalArgumentException for an unknown name or bad parameters; the message names the
   *     parameter and the rule
   */
  public Transformer create(String name, Map<String, Object> parameters) {
    TransformerFactory factory = factories.get(name);
    if (factory == null) {
      throw new IllegalArgumentException("unknown transformer '" + name + "' (known: "
          + String.join(", ", new java.util.TreeSet<>(factories.keySet())) + ")");
    }
    return factory.create(parameters);
  }
}
