package dev.altimeter.collector.polling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.storage.RecordingSampleConsumer;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleConsumer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The scheduler contract, driven on virtual time. */
class PollingAgentTest {
  static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");
  final VirtualTimeScheduler time = VirtualTimeScheduler.create();
  final Clock clock = new Clock() {
    @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(java.time.ZoneId zone) { return this; }
    @Override public Instant instant() { return EPOCH.plusMillis(time.now(TimeUnit.MILLISECONDS)); }
  };
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final RecordingSampleConsumer consumer = new RecordingSampleConsumer();
  PollingAgent agent;

  @AfterEach
  void close() {
    if (agent != null) agent.close();
    time.dispose();
  }

  PollingAgent agent(String yaml, List<Pollster> pollsters, SampleConsumer consumer) {
    agent = PollingAgent.builder(PollingConfig.parse(yaml, "polling.yaml"), pollsters, consumer)
        .meterRegistry(registry).clock(clock).timer(time).build();
    return agent;
  }

  double cycles(String source, String outcome) {
    return registry.counter("altimeter.polling.cycles", "outcome", outcome, "source", source).count();
  }

  @Test
  void runsEachSourceAtStartThenOnItsInterval() {
    CountingPollster fast = new CountingPollster("fast", List.of(), List.of(), 1);
    CountingPollster slow = new CountingPollster("slow", List.of(), List.of(), 1);
    agent("""
        sources:
          - {name: a, interval: 60, meters: [fast]}
          - {name: b, interval: 300, meters: [slow]}
        """, List.of(fast, slow), consumer).start().block();

    assertThat(fast.cycles).hasSize(1);
    assertThat(slow.cycles).hasSize(1);
    assertThat(fast.cycles.get(0).timestamp()).isEqualTo(EPOCH);

    time.advanceTimeBy(Duration.ofSeconds(59));
    assertThat(fast.cycles).hasSize(1);
    time.advanceTimeBy(Duration.ofSeconds(1));
    assertThat(fast.cycles).hasSize(2);
    assertThat(fast.cycles.get(1).timestamp()).isEqualTo(EPOCH.plusSeconds(60));
    time.advanceTimeBy(Duration.ofSeconds(240));
    assertThat(fast.cycles).hasSize(6);
    assertThat(slow.cycles).hasSize(2);
    assertThat(cycles("a", "completed")).isEqualTo(6);
  }

  @Test
  void aSlowCycleIsSkippedAndCountedNotQueued() {
    CountingPollster p = new CountingPollster("p", List.of(), List.of(), 1);
    Sinks.Empty<Void> release = Sinks.empty();
    p.override = cycle -> release.asMono().thenMany(Flux.empty());
    agent("sources:\n  - {name: s, interval: 60, meters: [p]}\n", List.of(p), consumer).start().block();
    assertThat(p.cycles).hasSize(1);

    time.advanceTimeBy(Duration.ofSeconds(120));
    assertThat(p.cycles).hasSize(1);
    assertThat(cycles("s", "skipped")).isEqualTo(2);

    p.override = null;
    release.tryEmitEmpty();
    assertThat(cycles("s", "completed")).isEqualTo(1);
    time.advanceTimeBy(Duration.ofSeconds(60));
    assertThat(p.cycles).hasSize(2);                 // nothing queued: one new cycle, not three
    assertThat(cycles("s", "completed")).isEqualTo(2);
  }

  @Test
  void samplesGoInBatchesAndShareTheCycleTimestamp() {
    CountingPollster a = new CountingPollster("a", List.of(), List.of(), 70);
    CountingPollster b = new CountingPollster("b", List.of(), List.of(), 50);
    time.advanceTimeBy(Duration.ofMillis(1234));
    agent("sources:\n  - {name: s, interval: 60, meters: ['*']}\n", List.of(a, b), consumer).start().block();

    assertThat(consumer.batches()).extracting(List::size).containsExactly(50, 50, 20);
    assertThat(consumer.batches().stream().flatMap(List::stream))
        .allSatisfy(s -> assertThat(s.timestamp()).isEqualTo(EPOCH.plusMillis(1234)));
    assertThat(registry.counter("altimeter.polling.samples", "outcome", "published").count()).isEqualTo(120);
  }

  @Test
  void batchSizeIsConfigurable() {
    CountingPollster a = new CountingPollster("a", List.of(), List.of(), 7);
    agent = PollingAgent.builder(PollingConfig.parse("sources:\n  - {name: s, interval: 60, meters: ['*']}\n", "p"),
        List.of(a), consumer).meterRegistry(registry).clock(clock).timer(time).batchSize(3).build();
    agent.start().block();
    assertThat(consumer.batches()).extracting(List::size).containsExactly(3, 3, 1);
  }

  @Test
  void refusedBatchesAreDroppedAndCounted() {
    CountingPollster a = new CountingPollster("a", List.of(), List.of(), 60);
    SampleConsumer overloaded = samples -> Mono.error(new SampleConsumer.Overloaded("full"));
    agent("sources:\n  - {name: s, interval: 60, meters: ['*']}\n", List.of(a), overloaded).start().block();
    assertThat(registry.counter("altimeter.polling.samples", "outcome", "dropped", "reason", "overloaded").count())
        .isEqualTo(60);
    assertThat(cycles("s", "completed")).isEqualTo(1);
  }

  @Test
  void selectsPollstersAndMetersByTheSourceRules() {
    CountingPollster host = new CountingPollster("host",
        List.of("hardware.cpu.util", "hardware.memory.used", "hardware.cpu.load.1min"), List.of(), 3);
    CountingPollster other = new CountingPollster("other", List.of(), List.of(), 1);
    agent("sources:\n  - {name: s, interval: 60, meters: ['hardware.cpu.*']}\n", List.of(host, other), consumer);
    assertThat(agent.plan()).containsEntry("s", List.of("host"));
    agent.start().block();
    assertThat(consumer.batches().get(0)).extracting(Sample::meter)
        .containsExactlyInAnyOrder("hardware.cpu.util", "hardware.cpu.load.1min");
    assertThat(other.cycles).isEmpty();
  }

  @Test
  void aFailingPollsterLosesOnlyItsOwnCycle() {
    CountingPollster bad = new CountingPollster("bad", List.of(), List.of(), 1);
    bad.override = cycle -> Flux.error(new IllegalStateException("boom"));
    CountingPollster good = new CountingPollster("good", List.of(), List.of(), 2);
    agent("sources:\n  - {name: s, interval: 60, meters: ['*']}\n", List.of(bad, good), consumer).start().block();
    assertThat(consumer.batches()).singleElement().satisfies(b -> assertThat(b).hasSize(2));
    assertThat(registry.counter("altimeter.polling.errors", "pollster", "bad").count()).isEqualTo(1);
  }

  @Test
  void jitterDelaysTheStartOfACycleWithinTheBound() {
    CountingPollster p = new CountingPollster("p", List.of(), List.of(), 1);
    agent = PollingAgent.builder(PollingConfig.parse("sources:\n  - {name: s, interval: 60, meters: ['*']}\n", "p"),
        List.of(p), consumer).meterRegistry(registry).clock(clock).timer(time).jitter(Duration.ofSeconds(10)).build();
    agent.start().block();
    time.advanceTimeBy(Duration.ofSeconds(10));
    assertThat(p.cycles).hasSize(1);
    assertThat(p.cycles.get(0).timestamp()).isBetween(EPOCH, EPOCH.plusSeconds(10));
  }

  @Test
  void stopWaitsForTheRunningCycle() {
    CountingPollster p = new CountingPollster("p", List.of(), List.of(), 1);
    Sinks.Empty<Void> release = Sinks.empty();
    p.override = cycle -> release.asMono().thenMany(Flux.empty());
    agent("sources:\n  - {name: s, interval: 60, meters: [p]}\n", List.of(p), consumer).start().block();
    boolean[] stopped = {false};
    agent.stop().subscribe(v -> { }, e -> { }, () -> stopped[0] = true);
    assertThat(stopped[0]).isFalse();
    release.tryEmitEmpty();
    assertThat(stopped[0]).isTrue();
    time.advanceTimeBy(Duration.ofSeconds(600));
    assertThat(p.cycles).hasSize(1);
  }
}
