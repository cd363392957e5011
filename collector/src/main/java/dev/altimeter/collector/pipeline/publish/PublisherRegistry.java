package dev.altimeter.collector.pipeline.publish;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Scheme → {@link PublisherFactory}. {@link #standard()} knows {@code file}, {@code http},
 * {@code https}, {@code udp}, {@code tcp} and {@code prometheus}; other schemes ({@code database},
 * {@code notifier}, ...) are added with {@link #with}. Immutable and thread-safe.
 */
public final class PublisherRegistry {
  private final Map<String, PublisherFactory> factories;

  private PublisherRegistry(Map<String, PublisherFactory> factories) {
    this.factories = Map.copyOf(factories);
  }

  public static PublisherRegistry empty() {
    return new PublisherRegistry(Map.of());
  }

  public static PublisherRegistry standard() {
    Map<String, PublisherFactory> f = new LinkedHashMap<>();
    f.put("file", FilePublisher::create);
    f.put("http", HttpPublisher::create);
    f.put("https", HttpPublisher::create);
    f.put("udp", UdpPublisher::create);
    f.put("tcp", TcpPublisher::create);
    f.put("prometheus", PrometheusPublisher::create);
    return new PublisherRegistry(f);
  }

  /** A registry with {@code scheme} mapped to {@code factory} (replacing any previous one). */
  public PublisherRegistry with(String scheme, PublisherFactory factory) {
    Map<String, PublisherFactory> f = new LinkedHashMap<>(factories);
    f.put(scheme, factory);
    return new PublisherRegistry(f);
  }

  public Set<String> schemes() {
    return factories.keySet();
  }

  /** Creates the publisher of {@code url}; {@link IllegalArgumentException} for an unknown scheme or bad option. */
  public Publisher create(PublisherUrl url, PublisherContext context) {
    PublisherFactory f = factories.get(url.scheme());
    if (f == null) {
      throw new IllegalArgumentException("no publisher for scheme '" + url.scheme() + "' (" + url.redacted() + ")");
    }
    return f.create(url, context);
  }
}
