package dev.altimeter.collector.polling;

import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleConsumer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Ceilometer's polling agent, non-blocking: runs the pollsters selected by each polling.yaml source
 * on that source's interval and hands the samples to the {@link SampleConsumer} in batches.
 *
 * <p>Contract:
 * <ul>
 *   <li>one schedule ({@link Flux#interval}) per distinct interval, on the timer scheduler; the first
 *       cycle runs at {@link #start()} (plus jitter, when set);
 *   <li>a cycle runs every source of its interval together, as Ceilometer's polling task does: each
 *       pollster is polled at most once per resource per cycle however many of those sources select
 *       it, with the meters of every source asking for that resource; a pollster without resources
 *       (its own host) is polled once;
 *   <li>a cycle never overlaps the next cycle of the same interval: a tick that finds the previous
 *       cycle still running is skipped and counted in {@code altimeter.polling.cycles}
 *       {@code outcome=skipped} of each of its sources, never queued;
 *   <li>all samples of one cycle carry one timestamp, taken when the cycle starts;
 *   <li>samples go to the consumer in batches of at most {@code batchSize} (default 50), one batch
 *       at a time per cycle; a refused or failed batch is dropped and counted in
 *       {@code altimeter.polling.samples} {@code outcome=dropped}; the next batch is still offered;
 *   <li>a failing pollster loses its own cycle only (counted in {@code altimeter.polling.errors}).
 * </ul>
 *
 * <p>Construct with {@link #builder(PollingConfig, List, SampleConsumer)}. Thread-safe.
 */
public final class PollingAgent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PollingAgent.class);

  private final PollingConfig config;
  private final List<Pollster> pollsters;
  private final SampleConsumer consumer;
  private final MeterRegistry registry;
  private final Clock clock;
  private final Scheduler timer;
  private final boolean ownsTimer;
  private final int batchSize;
  private final Duration jitter;
  private final ResourcePartition partition;
  private final Map<String, SourcePlan> plans = new LinkedHashMap<>();
  /** The sources of each interval, polled together (Ceilometer's {@code PollingTask}). */
  private final Map<Duration, IntervalPlan> intervals = new LinkedHashMap<>();
  private final Disposable.Composite schedules = Disposables.composite();
  private final Sinks.Empty<Void> closing = Sinks.empty();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Counter published;

  private PollingAgent(Builder b) {
    this.config = b.config;
    this.pollsters = List.copyOf(b.pollsters);
    this.consumer = b.consumer;
    this.registry = b.registry;
    this.clock = b.clock;
    this.ownsTimer = b.timer == null;
    this.timer = b.timer != null ? b.timer : Schedulers.newSingle("altimeter-polling-timer", true);
    this.batchSize = b.batchSize;
    this.jitter = b.jitter;
    this.partition = b.partition;
    this.published = Counter.builder("altimeter.polling.samples").tag("outcome", "published")
        .description("samples handed to the pipeline by the polling agent").register(registry);
    for (PollingConfig.Source source : config.sources()) {
      List<Binding> bindings = new ArrayList<>();
      for (Pollster p : pollsters) {
        Predicate<String> meters = meters(source, p);
        if (meters != null) {
          bindings.add(new Binding(source, p, meters, registry.counter("altimeter.polling.errors", "pollster", p.name())));
        }
      }
      if (bindings.isEmpty()) {
        log.info("polling source '{}' selects no pollster ({} )", source.name(), source.meterRules());
      }
      plans.put(source.name(), new SourcePlan(source, List.copyOf(bindings)));
    }
    for (Duration interval : config.intervals()) {
      intervals.put(interval, new IntervalPlan(
          plans.values().stream().filter(p -> p.source.interval().equals(interval)).toList()));
    }
  }

  /**
   * Which samples of the pollster the source takes, or {@code null} when it does not run it. A
   * pollster selected by its own name gives every meter the source does not exclude, so that
   * {@code ["!hardware.memory.*"]} selects the host pollster without its memory meters (an
   * exclusion-only list selects the rest, as Ceilometer's {@code is_supported}); otherwise the
   * source takes the declared meters its rules select. A pollster whose declared meters are all
   * excluded is not run.
   */
  private static Predicate<String> meters(PollingConfig.Source source, Pollster p) {
    if (source.excludes(p.name())) return null;
    Predicate<String> meters;
    if (source.selects(p.name())) {
      meters = meter -> !source.excludes(meter);
    } else if (p.meterNames().stream().anyMatch(source::selects)) {
      meters = source::selects;
    } else {
      return null;
    }
    if (!p.meterNames().isEmpty() && p.meterNames().stream().noneMatch(meters)) return null;
    return meters;
  }

  /**
   * Starts building an agent.
   *
   * @param pollsters every available pollster; each source runs those its meter rules select
   * @param consumer the pipeline entry point
   */
  public static Builder builder(PollingConfig config, List<Pollster> pollsters, SampleConsumer consumer) {
    return new Builder(config, pollsters, consumer);
  }

  /** Starts the pollsters, then the schedules; the first cycle of every source runs right away. */
  public Mono<Void> start() {
    return Mono.defer(() -> {
      if (!started.compareAndSet(false, true)) return Mono.empty();
      return Flux.fromIterable(pollsters).concatMap(Pollster::start).then(Mono.fromRunnable(this::schedule));
    });
  }

  private void schedule() {
    intervals.forEach((interval, due) -> schedules.add(Flux.interval(Duration.ZERO, interval, timer)
        .onBackpressureDrop(tick -> due.skipped())
        .subscribe(tick -> launch(due))));
  }

  private void launch(IntervalPlan plan) {
    Mono<Void> cycle = cycle(plan);
    if (!jitter.isZero()) {
      long delay = ThreadLocalRandom.current().nextLong(jitter.toMillis() + 1);
      cycle = Mono.delay(Duration.ofMillis(delay), timer).then(cycle);
    }
    // not kept in `schedules`: stop() must let running cycles finish; close() cancels them via `closing`
    cycle.takeUntilOther(closing.asMono()).subscribe();
  }

  /**
   * Runs one cycle of the named source's interval now, outside the schedule (tests, operators): the
   * source and every other source of the same interval, as a scheduled cycle does. Completes when
   * every batch of the cycle was offered to the consumer; completes at once, counting a skip, when
   * a cycle of that interval is running.
   *
   * @throws IllegalArgumentException for an unknown source
   */
  public Mono<Void> pollOnce(String sourceName) {
    SourcePlan plan = plans.get(sourceName);
    if (plan == null) throw new IllegalArgumentException("no polling source named " + sourceName);
    return cycle(intervals.get(plan.source.interval()));
  }

  private Mono<Void> cycle(IntervalPlan plan) {
    return Mono.defer(() -> {
      if (closed.get()) return Mono.empty();
      if (!plan.running.compareAndSet(false, true)) {
        plan.skipped();
        return Mono.empty();
      }
      Sinks.Empty<Void> done = Sinks.empty();
      plan.done = done;
      Instant timestamp = clock.instant();
      return Flux.defer(() -> Flux.fromIterable(polls(plan)))
          .flatMap(poll -> poll(poll, timestamp), 4)
          .buffer(batchSize)
          .concatMap(this::deliver)
          .then()
          .doFinally(signal -> {
            plan.running.set(false);
            plan.sources.forEach(p -> p.completed.increment());
            done.tryEmitEmpty();
          });
    });
  }

  /**
   * The pollster calls of one cycle, as Ceilometer's poll history makes them: every pollster once
   * per resource across the sources of the interval (the sources asking for the same resources
   * share one call, a resource is in one call only), and once for its own host when it polls no
   * resources. The resources are the source's static ones, else the pollster's own, less those
   * another agent owns.
   */
  private List<Poll> polls(IntervalPlan plan) {
    Map<Pollster, Wanted> wanted = new LinkedHashMap<>();
    for (SourcePlan source : plan.sources) {
      for (Binding b : source.bindings) {
        Pollster p = b.pollster;
        List<String> candidates = source.source.resources().isEmpty() ? p.defaultResources() : source.source.resources();
        List<String> owned = p.partitioned() ? candidates.stream().filter(partition::owns).toList() : candidates;
        if (!candidates.isEmpty() && owned.isEmpty()) continue;
        Wanted w = wanted.computeIfAbsent(p, k -> new Wanted());
        if (owned.isEmpty()) {
          if (!w.ownHost.contains(b)) w.ownHost.add(b);
        } else {
          for (String r : owned) {
            List<Binding> by = w.byResource.computeIfAbsent(r, k -> new ArrayList<>());
            if (!by.contains(b)) by.add(b);
          }
        }
      }
    }
    List<Poll> out = new ArrayList<>();
    wanted.forEach((p, w) -> {
      if (!w.ownHost.isEmpty()) out.add(new Poll(p, List.of(), List.copyOf(w.ownHost)));
      Map<List<Binding>, List<String>> calls = new LinkedHashMap<>();
      w.byResource.forEach((r, by) -> calls.computeIfAbsent(by, k -> new ArrayList<>()).add(r));
      calls.forEach((by, resources) -> out.add(new Poll(p, resources, List.copyOf(by))));
    });
    return out;
  }

  private Flux<Sample> poll(Poll call, Instant timestamp) {
    Pollster p = call.pollster;
    // the first asking source names the cycle, as Ceilometer polls "in the context of" one source
    String source = call.by.get(0).source.name();
    PollCycle cycle = new PollCycle(source, timestamp, call.resources);
    return Flux.defer(() -> p.poll(cycle))
        .filter(s -> call.selects(s.meter()))
        .onErrorResume(e -> {
          call.by.get(0).errors.increment();
          log.warn("pollster {} failed in source {}: {}", p.name(), source, e.toString());
          return Flux.empty();
        });
  }

  private Mono<Void> deliver(List<Sample> batch) {
    return Mono.defer(() -> consumer.accept(batch))
        .doOnSuccess(v -> published.increment(batch.size()))
        .onErrorResume(e -> {
          String reason = e instanceof SampleConsumer.Overloaded ? "overloaded" : "failed";
          registry.counter("altimeter.polling.samples", "outcome", "dropped", "reason", reason)
              .increment(batch.size());
          return Mono.empty();
        });
  }

  /** Stops the schedules, waits for running cycles to finish, then stops the pollsters. */
  public Mono<Void> stop() {
    return Mono.defer(() -> {
      schedules.dispose();
      List<Mono<Void>> running = new ArrayList<>();
      for (IntervalPlan p : intervals.values()) {
        Sinks.Empty<Void> d = p.done;
        if (p.running.get() && d != null) running.add(d.asMono());
      }
      return Mono.when(running).then(Flux.fromIterable(pollsters).concatMap(Pollster::stop).then());
    });
  }

  /** Stops without waiting and releases the pollsters and the timer. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    schedules.dispose();
    closing.tryEmitEmpty();
    for (Pollster p : pollsters) {
      try {
        p.close();
      } catch (RuntimeException e) {
        log.warn("closing pollster {} failed: {}", p.name(), e.toString());
      }
    }
    if (ownsTimer) timer.dispose();
  }

  /** The names of the pollsters each source runs, in source order; for diagnostics. */
  public Map<String, List<String>> plan() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    plans.forEach((name, plan) -> out.put(name, plan.bindings.stream().map(b -> b.pollster.name()).toList()));
    return out;
  }

  /** The sources of one interval; their cycles run together, one at a time. */
  private static final class IntervalPlan {
    final List<SourcePlan> sources;
    final AtomicBoolean running = new AtomicBoolean();
    volatile Sinks.Empty<Void> done;

    IntervalPlan(List<SourcePlan> sources) {
      this.sources = sources;
    }

    void skipped() {
      sources.forEach(p -> p.skipped.increment());
    }
  }

  private final class SourcePlan {
    final PollingConfig.Source source;
    final List<Binding> bindings;
    final Counter skipped;
    final Counter completed;

    SourcePlan(PollingConfig.Source source, List<Binding> bindings) {
      this.source = source;
      this.bindings = bindings;
      this.skipped = Counter.builder("altimeter.polling.cycles").tag("source", source.name())
          .tag("outcome", "skipped").description("polling cycles skipped because the previous one still ran")
          .register(registry);
      this.completed = Counter.builder("altimeter.polling.cycles").tag("source", source.name())
          .tag("outcome", "completed").register(registry);
    }
  }

  /** A pollster run by a source, with the source's meter filter for its samples. Equal only to itself. */
  private static final class Binding {
    final PollingConfig.Source source;
    final Pollster pollster;
    final Predicate<String> meters;
    final Counter errors;

    Binding(PollingConfig.Source source, Pollster pollster, Predicate<String> meters, Counter errors) {
      this.source = source;
      this.pollster = pollster;
      this.meters = meters;
      this.errors = errors;
    }
  }

  /** What the sources of a cycle ask of one pollster: its own host, and resources with who asks. */
  private static final class Wanted {
    final List<Binding> ownHost = new ArrayList<>();
    final Map<String, List<Binding>> byResource = new LinkedHashMap<>();
  }

  /** One call of a pollster in a cycle, for the sources {@code by}; a sample goes on if any of them takes its meter. */
  private record Poll(Pollster pollster, List<String> resources, List<Binding> by) {
    boolean selects(String meter) {
      for (Binding b : by) if (b.meters.test(meter)) return true;
      return false;
    }
  }

  /** Builder; not thread-safe. */
  public static final class Builder {
    private final PollingConfig config;
    private final List<Pollster> pollsters;
    private final SampleConsumer consumer;
    private MeterRegistry registry = new SimpleMeterRegistry();
    private Clock clock = Clock.systemUTC();
    private Scheduler timer;
    private int batchSize = 50;
    private Duration jitter = Duration.ZERO;
    private ResourcePartition partition = ResourcePartition.ALL;

    private Builder(PollingConfig config, List<Pollster> pollsters, SampleConsumer consumer) {
      this.config = Objects.requireNonNull(config, "config");
      this.pollsters = Objects.requireNonNull(pollsters, "pollsters");
      this.consumer = Objects.requireNonNull(consumer, "consumer");
    }

    public Builder meterRegistry(MeterRegistry v) { registry = Objects.requireNonNull(v); return this; }

    /** The clock that stamps cycles; default UTC system clock. */
    public Builder clock(Clock v) { clock = Objects.requireNonNull(v); return this; }

    /**
     * The scheduler of the schedules (ticks and jitter delays only, no polling work); default a
     * dedicated single thread {@code altimeter-polling-timer}, owned and disposed by the agent.
     */
    public Builder timer(Scheduler v) { timer = Objects.requireNonNull(v); return this; }

    /** Samples per call of the consumer; Ceilometer's {@code [polling] batch_size}, default 50. */
    public Builder batchSize(int v) {
      if (v <= 0) throw new IllegalArgumentException("batchSize must be positive");
      batchSize = v;
      return this;
    }

    /** Each cycle starts after a random delay in [0, jitter] to spread load; default zero. */
    public Builder jitter(Duration v) {
      if (v.isNegative()) throw new IllegalArgumentException("jitter must not be negative");
      jitter = v;
      return this;
    }

    /** Which resources this agent polls; default all (a single agent). */
    public Builder partition(ResourcePartition v) { partition = Objects.requireNonNull(v); return this; }

    public PollingAgent build() {
      return new PollingAgent(this);
    }
  }
}
