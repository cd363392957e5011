package dev.altimeter.collector.pipeline.transform;

import java.util.Map;

/**
 * Builds a transformer from the {@code parameters} map of a pipeline.yaml sink entry.
 *
 * <p>{@link #create} validates the parameters and throws {@link IllegalArgumentException} with a
 * message naming the parameter and the rule broken; config loading calls it once to validate, and
 * the runtime calls it once per sink. Implementations are stateless and thread-safe.
 */
public interface TransformerFactory {

  String name();

  Transformer create(Map<String, Object> parameters);
}
