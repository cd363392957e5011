package dev.altimeter.collector.polling.partition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.collector.polling.CountingPollster;
import dev.altimeter.collector.polling.PollingAgent;
import dev.altimeter.collector.polling.PollingConfig;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.MembershipStore;
import dev.altimeter.storage.TestPostgres;
import dev.altimeter.storage.postgres.PostgresMembershipStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * Three polling agents in one JVM sharing one PostgreSQL: each resource is polled by exactly one
 * agent per cycle, before and after an agent stops or dies, and after one joins. Time is the test's
 * clock: heartbeats and cycles are driven explicitly, nothing sleeps.
 */
class PartitionedPollingTest {
  static final Duration PERIOD = Duration.ofSeconds(10);
  static final List<String> RESOURCES = IntStream.range(0, 40).mapToObj(i -> String.format("r%02d", i)).toList();
  static final String POLLING_YAML = "sources:\n  - name: s\n    interval: 60\n    meters: [counting]\n    resources: ["
      + String.join(", ", RESOURCES) + "]\n";

  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  final Clock clock = new Clock() {
    @Override public ZoneId getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(ZoneId zone) { return this; }
    @Override public Instant instant() { return now.get(); }
  };
  final String group = "test-" + UUID.randomUUID();
  final Map<String, Agent> agents = new LinkedHashMap<>();
  /** (agent, resource) of every polled sample of the current cycle. */
  final List<String[]> polled = new CopyOnWriteArrayList<>();
  MembershipStore db;

  record Agent(String id, GroupMembership membership, PollingAgent polling) {}

  @BeforeEach
  void setUp() {
    db = new PostgresMembershipStore(TestPostgres.storage().connectionFactory());
  }

  @AfterEach
  void tearDown() {
    agents.values().forEach(a -> {
      a.membership.close();
      a.polling.close();
    });
  }

  Agent join(String id) {
    GroupMembership m = new GroupMembership(db, group, id, PERIOD, null, clock);
    CountingPollster p = new CountingPollster("counting", List.of(), RESOURCES, 1);
    PollingAgent agent = PollingAgent.builder(PollingConfig.parse(POLLING_YAML, "polling.yaml"), List.of(p),
            samples -> {
              for (Sample s : samples) polled.add(new String[] {id, s.resourceId()});
              return Mono.empty();
            })
        .clock(clock).partition(m).build();
    Agent a = new Agent(id, m, agent);
    agents.put(id, a);
    return a;
  }

  /** One heartbeat period passes: every running agent heartbeats once. */
  void heartbeatRound() {
    now.set(now.get().plus(PERIOD));
    for (Agent a : agents.values()) a.membership.heartbeat().block(Duration.ofSeconds(30));
  }

  /** One polling cycle of every running agent; returns resource → agents that polled it. */
  Map<String, List<String>> cycle() {
    polled.clear();
    for (Agent a : agents.values()) a.polling.pollOnce("s").block(Duration.ofSeconds(30));
    Map<String, List<String>> byResource = new ConcurrentHashMap<>();
    for (String[] p : polled) byResource.computeIfAbsent(p[1], k -> new ArrayList<>()).add(p[0]);
    return byResource;
  }

  static void assertEachPolledExactlyOnce(Map<String, List<String>> byResource) {
    assertThat(byResource).containsOnlyKeys(RESOURCES);
    assertThat(byResource.values()).allSatisfy(owners -> assertThat(owners).hasSize(1));
  }

  static Map<String, Long> share(Map<String, List<String>> byResource) {
    return byResource.values().stream().map(l -> l.get(0)).collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
  }

  @Test
  void threeAgentsSplitTheResourcesAndRebalanceWhenOneStopsDiesOrJoins() {
    join("agent-a");
    join("agent-b");
    join("agent-c");
    // a starting agent owns nothing until its first heartbeat
    assertThat(cycle()).isEmpty();

    heartbeatRound(); // everyone registers; a saw only itself, b saw a and b, ...
    assertThat(cycle()).isEmpty(); // ... so nobody owns anything before one period of membership
    heartbeatRound(); // one period later every agent sees all three and takes its share
    agents.values().forEach(a -> assertThat(a.membership.members()).containsExactly("agent-a", "agent-b", "agent-c"));
    Map<String, List<String>> first = cycle();
    assertEachPolledExactlyOnce(first);
    assertThat(share(first)).containsOnlyKeys("agent-a", "agent-b", "agent-c");
    assertEachPolledExactlyOnce(cycle()); // stable over cycles

    // agent-c stops gracefully: the others take over at their next heartbeat
    Agent c = agents.remove("agent-c");
    c.membership.leave().block(Duration.ofSeconds(30));
    c.polling.close();
    heartbeatRound();
    Map<String, List<String>> afterStop = cycle();
    assertEachPolledExactlyOnce(afterStop);
    assertThat(share(afterStop)).containsOnlyKeys("agent-a", "agent-b");
    // resources that were not agent-c's stay where they were
    first.forEach((r, owners) -> {
      if (!owners.get(0).equals("agent-c")) assertThat(afterStop.get(r)).isEqualTo(owners);
    });

    // agent-d joins: a and b still poll everything exactly once while d warms up ...
    join("agent-d");
    heartbeatRound();
    Map<String, List<String>> joining = cycle();
    assertEachPolledExactlyOnce(joining);
    assertThat(share(joining)).containsOnlyKeys("agent-a", "agent-b");
    // ... and one period later d has its share
    heartbeatRound();
    Map<String, List<String>> afterJoin = cycle();
    assertEachPolledExactlyOnce(afterJoin);
    assertThat(share(afterJoin)).containsOnlyKeys("agent-a", "agent-b", "agent-d");

    // agent-b dies (no goodbye): it drops out once its last heartbeat is older than the timeout
    Agent b = agents.remove("agent-b");
    b.membership.close();
    b.polling.close();
    heartbeatRound(); // 1 period since b's last heartbeat: still counted as live, its share is not polled
    assertThat(agents.get("agent-a").membership.members()).contains("agent-b");
    heartbeatRound(); // 2 periods = the default timeout: b is gone
    Map<String, List<String>> afterDeath = cycle();
    assertEachPolledExactlyOnce(afterDeath);
    assertThat(share(afterDeath)).containsOnlyKeys("agent-a", "agent-d");
  }
}
