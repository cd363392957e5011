package dev.altimeter.collector.pipeline.publish;

/**
 * Creates a publisher for a URL of its scheme, reading its query options. Throws
 * {@link IllegalArgumentException} naming the option for a bad URL. Stateless and thread-safe.
 */
@FunctionalInterface
public interface PublisherFactory {
  Publisher create(PublisherUrl url, PublisherContext context);
}
