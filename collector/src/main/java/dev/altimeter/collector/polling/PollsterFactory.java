package dev.altimeter.collector.polling;

import dev.altimeter.collector.polling.host.HostPollster;
import dev.altimeter.collector.polling.prometheus.ScrapePollster;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Objects;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Builds pollsters from typed configuration and owns what they share: one non-blocking
 * {@link WebClient} over a bounded reactor-netty connection pool, and the bounded scheduler
 * {@code altimeter-blocking-io} on which blocking reads (/proc) run on purpose.
 *
 * <p>Close the factory after the pollsters it built. Thread-safe.
 */
public final class PollsterFactory implements AutoCloseable {
  /** Name prefix of the threads that may block. */
  public static final String BLOCKING_IO_THREADS = "altimeter-blocking-io";
  static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

  private final MeterRegistry registry;
  private final Scheduler blockingIo;
  private final ConnectionProvider connections;
  private final WebClient http;

  public PollsterFactory(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry);
    int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    // bounded: at most `threads` blocking reads at once and 256 waiting; more fail fast (RejectedExecution)
    this.blockingIo = Schedulers.newBoundedElastic(threads, 256, BLOCKING_IO_THREADS, 60, true);
    this.connections = ConnectionProvider.builder("altimeter-polling")
        .maxConnections(64).pendingAcquireMaxCount(256).maxIdleTime(Duration.ofSeconds(30)).build();
    this.http = webClient(HttpClient.create(connections), MAX_BODY_BYTES);
  }

  /** A WebClient over reactor-netty with a response body limit; for pollsters and tests. */
  public static WebClient webClient(int maxBodyBytes) {
    return webClient(HttpClient.create(), maxBodyBytes);
  }

  static WebClient webClient(HttpClient client, int maxBodyBytes) {
    return WebClient.builder()
        .clientConnector(new ReactorClientHttpConnector(client))
        .codecs(c -> c.defaultCodecs().maxInMemorySize(maxBodyBytes))
        .build();
  }

  /** The host pollster; its blocking reads run on {@code altimeter-blocking-io}. */
  public HostPollster host(HostPollster.Config config) {
    return new HostPollster(config, blockingIo);
  }

  /** A Prometheus scrape pollster sharing the factory's HTTP client. */
  public ScrapePollster scrape(ScrapePollster.Config config) {
    return new ScrapePollster(config, http, registry);
  }

  /** The shared HTTP client. */
  public WebClient http() {
    return http;
  }

  /** The bounded scheduler for blocking reads. */
  public Scheduler blockingIo() {
    return blockingIo;
  }

  @Override
  public void close() {
    blockingIo.dispose();
    connections.dispose();
  }
}
