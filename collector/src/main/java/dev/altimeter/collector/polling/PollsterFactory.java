package dev.altimeter.collector.polling;

import dev.altimeter.collector.config.ConfigException;
import dev.altimeter.collector.config.ConfigNode;
import dev.altimeter.collector.polling.dynamic.DynamicPollster;
import dev.altimeter.collector.polling.dynamic.DynamicPollsterDefinition;
import dev.altimeter.collector.polling.host.HostPollster;
import dev.altimeter.collector.polling.prometheus.ScrapePollster;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
  private static final Logger log = LoggerFactory.getLogger(PollsterFactory.class);
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

  /**
   * A dynamic pollster.
   *
   * @param catalog endpoint type → base URL, standing in for the Keystone catalog
   */
  public DynamicPollster dynamic(DynamicPollsterDefinition definition, Map<String, URI> catalog) {
    return new DynamicPollster(definition, http, catalog, registry);
  }

  /**
   * Pollsters declared in YAML definition files, as Ceilometer's {@code pollsters_definitions_dirs}:
   * each path is a file or a directory whose {@code *.yaml} files are read in name order; each file
   * is a list of definitions. An entry with {@code kind: prometheus} is a scrape pollster
   * ({@link ScrapePollster#fromDefinition}); any other entry is a dynamic pollster. As in
   * Ceilometer, a repeated name is ignored (the first wins) and an invalid definition is logged and
   * skipped; {@code strict} turns both into errors.
   *
   * <p>Blocking (reads files): call at start-up, not on an event loop.
   */
  public List<Pollster> fromDefinitions(List<Path> paths, Map<String, URI> catalog, boolean strict) {
    List<Path> files = new ArrayList<>();
    for (Path p : paths) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.list(p)) {
          s.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().forEach(files::add);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot list " + p, e);
        }
      } else {
        files.add(p);
      }
    }
    Map<String, Pollster> out = new LinkedHashMap<>();
    for (Path f : files) {
      String text;
      try {
        text = Files.readString(f, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + f, e);
      }
      for (Pollster p : fromDefinitions(text, f.getFileName().toString(), catalog, strict)) {
        if (out.containsKey(p.name())) {
          if (strict) throw new ConfigException(f.getFileName().toString(), 0, "", "pollster " + p.name() + " is defined twice");
          log.warn("pollster {} in {} is defined already; ignored", p.name(), f);
          continue;
        }
        out.put(p.name(), p);
      }
    }
    return List.copyOf(out.values());
  }

  /** As {@link #fromDefinitions(List, Map, boolean)}, for the text of one file. */
  public List<Pollster> fromDefinitions(String yaml, String fileName, Map<String, URI> catalog, boolean strict) {
    ConfigNode root = ConfigNode.loadForValues(fileName, new StringReader(yaml));
    if (root.isNull()) return List.of();
    if (!root.isSequence()) throw root.error("the top level must be a list of definitions");
    Map<String, Pollster> out = new LinkedHashMap<>();
    for (ConfigNode item : root.items()) {
      try {
        if (!item.isMapping()) throw new ConfigException(fileName, item.line(), "", "each definition must be a mapping");
        @SuppressWarnings("unchecked")
        Map<String, Object> d = (Map<String, Object>) item.value();
        Pollster p;
        if ("prometheus".equals(d.get("kind"))) {
          p = scrape(ScrapePollster.fromDefinition(d, fileName, item.line()));
        } else {
          DynamicPollsterDefinition def = DynamicPollsterDefinition.of(d, fileName, item.line());
          def.warnings().forEach(w -> log.warn("dynamic pollster {} in {}: {}", def.name(), fileName, w));
          p = dynamic(def, catalog);
        }
        if (out.containsKey(p.name())) {
          if (strict) throw new ConfigException(fileName, item.line(), "", "pollster " + p.name() + " is defined twice");
          log.warn("pollster {} in {} is defined already; ignored", p.name(), fileName);
          continue;
        }
        out.put(p.name(), p);
      } catch (ConfigException e) {
        if (strict) throw e;
        log.warn("invalid pollster definition skipped: {}", e.getMessage());
      }
    }
    return List.copyOf(out.values());
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
