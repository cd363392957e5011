package dev.altimeter.collector.pipeline.route;

import dev.altimeter.collector.config.ConfigException;
import dev.altimeter.collector.pipeline.config.PipelineConfig;
import dev.altimeter.collector.pipeline.config.PipelineConfigParser;
import dev.altimeter.storage.SampleConsumer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The pipelines of a pipeline file (pipeline.yaml or event_pipeline.yaml) that is reloaded when it
 * changes.
 *
 * <p>Every {@code interval} the file is read on the given bounded scheduler and compared (by
 * SHA-256 of its bytes, so a Kubernetes ConfigMap's symlink swap and an edit within the same
 * second are both seen) with the last version tried. A changed file is parsed and built; if that
 * succeeds the new pipelines are started, take the place of the running ones for every later
 * batch, and the old ones are stopped (they drain what they queued). If it fails the error is
 * logged with the file, line and rule, counted in {@code altimeter.pipeline.reloads{outcome=rejected}},
 * and the running pipelines keep going; the same bad content is not reported again.
 *
 * <p>Transformer state (rates in progress) starts afresh in reloaded pipelines, as in Ceilometer.
 * Thread-safe: {@link #accept} may run concurrently with a reload; a batch that meets pipelines
 * stopped by a reload is handed to their successor.
 */
public final class ReloadingPipelines<T> implements RunningPipelines<T> {
  private static final Logger LOG = LoggerFactory.getLogger(ReloadingPipelines.class);

  private final Path file;
  private final PipelineConfigParser parser;
  private final PipelineConfig.Kind kind;
  private final Function<PipelineConfig, ? extends RunningPipelines<T>> build;
  private final Duration interval;
  private final Scheduler scheduler;
  private final AtomicReference<RunningPipelines<T>> current = new AtomicReference<>();
  private final Counter reloaded;
  private final Counter rejected;
  private byte[] lastTried; // touched only by start() and then the serial checks
  private volatile Disposable watch;

  /**
   * @param build creates (does not start) the pipelines of a parsed file; throws
   *     {@link IllegalArgumentException} for a publisher or transformer that cannot be built
   * @param scheduler a bounded scheduler for the file reads and the start of new pipelines
   */
  public ReloadingPipelines(Path file, PipelineConfigParser parser, PipelineConfig.Kind kind,
      Function<PipelineConfig, ? extends RunningPipelines<T>> build, Duration interval, Scheduler scheduler,
      MeterRegistry registry) {
    this.file = Objects.requireNonNull(file, "file");
    this.parser = parser;
    this.kind = kind;
    this.build = build;
    if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("interval must be > 0: " + interval);
    this.interval = interval;
    this.scheduler = scheduler;
    String fileTag = kind == PipelineConfig.Kind.SAMPLE ? "pipeline" : "event_pipeline";
    this.reloaded = Counter.builder("altimeter.pipeline.reloads").tag("outcome", "reloaded").tag("file", fileTag)
        .description("Changes of a pipeline file applied or rejected").register(registry);
    this.rejected = Counter.builder("altimeter.pipeline.reloads").tag("outcome", "rejected").tag("file", fileTag)
        .description("Changes of a pipeline file applied or rejected").register(registry);
  }

  /**
   * Loads the file and builds its pipelines now (blocking file read: call at start-up); a bad file
   * throws, naming the file, line and rule. {@link #start} then starts them and the watch.
   */
  public ReloadingPipelines<T> load() {
    byte[] bytes = read();
    RunningPipelines<T> first = build.apply(parser.parse(file.getFileName().toString(),
        new String(bytes, StandardCharsets.UTF_8), kind));
    lastTried = digest(bytes);
    current.set(first);
    return this;
  }

  /** Starts the loaded pipelines, then watches the file. */
  @Override
  public Mono<Void> start() {
    RunningPipelines<T> p = current.get();
    if (p == null) return Mono.error(new IllegalStateException("load() first"));
    return p.start().doOnSuccess(v -> watch = Flux.interval(interval, interval, scheduler)
        // a check slower than the interval skips ticks instead of overflowing (which would end the watch)
        .onBackpressureDrop()
        .concatMap(t -> check().onErrorResume(e -> {
          LOG.error("pipeline reload check of {} failed", file, e);
          return Mono.empty();
        }))
        .subscribe());
  }

  /** The running pipelines. */
  public RunningPipelines<T> current() {
    return current.get();
  }

  /**
   * Checks the file once: {@code true} when a changed file was applied, {@code false} when it was
   * unchanged or rejected. Runs on the scheduler.
   */
  public Mono<Boolean> check() {
    return Mono.fromCallable(this::reloadIfChanged).subscribeOn(scheduler);
  }

  private synchronized boolean reloadIfChanged() {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      LOG.warn("cannot read {} (keeping the running pipelines): {}", file, e.toString());
      return false;
    }
    byte[] digest = digest(bytes);
    if (Arrays.equals(digest, lastTried)) return false;
    lastTried = digest;
    RunningPipelines<T> next;
    try {
      next = build.apply(parser.parse(file.getFileName().toString(), new String(bytes, StandardCharsets.UTF_8), kind));
      next.start().block(Duration.ofSeconds(30)); // on the bounded scheduler: blocking is allowed here
    } catch (RuntimeException e) {
      rejected.increment();
      LOG.error("rejected the new {} (the running pipelines keep going): {}", file, e.getMessage());
      return false;
    }
    RunningPipelines<T> old = current.getAndSet(next);
    reloaded.increment();
    LOG.info("reloaded {}: {}", file, next.pipelineNames());
    old.stop().subscribe(v -> { }, e -> LOG.warn("stopping the previous pipelines of {} failed: {}", file, e.toString()));
    return true;
  }

  private byte[] read() {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ConfigException(file.toString(), 0, "", "cannot read: " + e);
    }
  }

  private static byte[] digest(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  @Override
  public List<String> pipelineNames() {
    return current.get().pipelineNames();
  }

  /** Routes a batch through the running pipelines. */
  @Override
  public Mono<Void> accept(List<T> items) {
    return Mono.defer(() -> {
      RunningPipelines<T> p = current.get();
      return p.accept(items).onErrorResume(SampleConsumer.Overloaded.class, e -> {
        RunningPipelines<T> now = current.get();
        return now != p ? now.accept(items) : Mono.error(e); // p was stopped by a reload
      });
    });
  }

  /** Stops watching, then stops the running pipelines (draining them). */
  @Override
  public Mono<Void> stop() {
    Disposable w = watch;
    if (w != null) w.dispose();
    return Mono.defer(() -> current.get().stop());
  }

  @Override
  public void close() {
    Disposable w = watch;
    if (w != null) w.dispose();
    RunningPipelines<T> p = current.get();
    if (p != null) p.close();
  }
}
