package dev.altimeter.collector.polling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.altimeter.storage.RecordingSampleConsumer;
import dev.altimeter.storage.Sample;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which pollsters and meters the sources of polling.yaml run, on the agent's real timer (its own
 * {@code altimeter-polling-timer} thread): each test starts the agent, waits for the first cycle
 * of every source to complete (the next one is an hour away) and checks what was polled.
 */
class SourceSelectionTest {
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final RecordingSampleConsumer consumer = new RecordingSampleConsumer();
  PollingAgent agent;

  @AfterEach
  void close() {
    if (agent != null) agent.close();
  }

  /** Starts the agent on its own timer and waits until the first cycle of each source completed. */
  void runFirstCycle(String yaml, List<Pollster> pollsters, String... sources) throws InterruptedException {
    agent = PollingAgent.builder(PollingConfig.parse(yaml, "polling.yaml"), pollsters, consumer)
        .meterRegistry(registry).build();
    agent.start().block(Duration.ofSeconds(30));
    // a bound on the wait only, not an assertion on time: a cycle of in-memory pollsters takes milliseconds
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    for (String source : sources) {
      while (registry.counter("altimeter.polling.cycles", "outcome", "completed", "source", source).count() < 1) {
        if (System.nanoTime() > deadline) fail("the first cycle of source " + source + " did not complete");
        Thread.sleep(5);
      }
    }
  }

  @Test
  void aMeterSelectedByTwoSourcesOfOneIntervalIsPolledOncePerCycle() throws InterruptedException {
    CountingPollster cpu = new CountingPollster("cpu", List.of(), List.of(), 1);
    runFirstCycle("""
        sources:
          - {name: a, interval: 3600, meters: [cpu]}
          - {name: b, interval: 3600, meters: ['*']}
        """, List.of(cpu), "a", "b");

    assertThat(cpu.cycles).hasSize(1);
    assertThat(consumer.samples()).singleElement().satisfies(s -> assertThat(s.meter()).isEqualTo("cpu"));
  }

  @Test
  void eachResourceIsPolledOnceAcrossSourcesListingIt() throws InterruptedException {
    CountingPollster web = new CountingPollster("web", List.of(), List.of(), 1);
    runFirstCycle("""
        sources:
          - {name: a, interval: 3600, meters: [web], resources: [r1, r2]}
          - {name: b, interval: 3600, meters: [web], resources: [r2, r3]}
        """, List.of(web), "a", "b");

    assertThat(consumer.samples()).extracting(Sample::resourceId).containsExactlyInAnyOrder("r1", "r2", "r3");
    assertThat(web.cycles.stream().flatMap(c -> c.resources().stream()))
        .containsExactlyInAnyOrder("r1", "r2", "r3");
    assertThat(web.cycles.stream().map(PollCycle::timestamp).distinct()).hasSize(1);
  }

  @Test
  void twoSourcesTakingDifferentMetersOfOnePollsterShareOneCall() throws InterruptedException {
    CountingPollster host = new CountingPollster("host",
        List.of("hardware.cpu.util", "hardware.memory.used", "hardware.disk.size.used"), List.of(), 3);
    runFirstCycle("""
        sources:
          - {name: cpu, interval: 3600, meters: ['hardware.cpu.*']}
          - {name: memory, interval: 3600, meters: ['hardware.memory.*']}
        """, List.of(host), "cpu", "memory");

    assertThat(host.cycles).hasSize(1);
    assertThat(consumer.samples()).extracting(Sample::meter)
        .containsExactlyInAnyOrder("hardware.cpu.util", "hardware.memory.used");
  }

  @Test
  void sourcesOfDifferentIntervalsEachPollTheirOwnCycle() throws InterruptedException {
    CountingPollster cpu = new CountingPollster("cpu", List.of(), List.of(), 1);
    runFirstCycle("""
        sources:
          - {name: fast, interval: 3600, meters: [cpu]}
          - {name: slow, interval: 7200, meters: [cpu]}
        """, List.of(cpu), "fast", "slow");

    // as in Ceilometer: one polling task per interval, each with its own cycle
    assertThat(cpu.cycles).hasSize(2);
  }

  @Test
  void anExclusionOnlySourceSelectsEverythingElse() throws InterruptedException {
    CountingPollster host = new CountingPollster("host",
        List.of("hardware.cpu.util", "hardware.memory.used", "hardware.memory.total"), List.of(), 3);
    CountingPollster other = new CountingPollster("other", List.of(), List.of(), 1);
    runFirstCycle("""
        sources:
          - {name: all-but-memory, interval: 3600, meters: ['!hardware.memory.*']}
        """, List.of(host, other), "all-but-memory");

    assertThat(agent.plan()).containsEntry("all-but-memory", List.of("host", "other"));
    assertThat(consumer.samples()).extracting(Sample::meter).containsExactlyInAnyOrder("hardware.cpu.util", "other");
  }

  @Test
  void wildcardWithExclusionsDropsTheExcludedMetersOfAPollsterSelectedByName() throws InterruptedException {
    CountingPollster host = new CountingPollster("host",
        List.of("hardware.cpu.util", "hardware.memory.used"), List.of(), 2);
    runFirstCycle("""
        sources:
          - {name: s, interval: 3600, meters: ['*', '!hardware.memory.used']}
        """, List.of(host), "s");

    assertThat(consumer.samples()).extracting(Sample::meter).containsExactly("hardware.cpu.util");
  }

  @Test
  void aPollsterWhoseMetersAreAllExcludedIsNotPolled() throws InterruptedException {
    CountingPollster host = new CountingPollster("host", List.of("hardware.cpu.util", "hardware.memory.used"),
        List.of(), 2);
    CountingPollster scrape = new CountingPollster("prometheus.node", List.of(), List.of(), 1);
    CountingPollster named = new CountingPollster("dynamic.images", List.of(), List.of(), 1);
    runFirstCycle("""
        sources:
          - {name: s, interval: 3600, meters: ['!hardware.*', '!dynamic.*']}
        """, List.of(host, scrape, named), "s");

    assertThat(agent.plan()).containsEntry("s", List.of("prometheus.node"));
    assertThat(host.cycles).isEmpty();
    assertThat(named.cycles).isEmpty();
    assertThat(consumer.samples()).extracting(Sample::meter).containsExactly("prometheus.node");
  }
}
