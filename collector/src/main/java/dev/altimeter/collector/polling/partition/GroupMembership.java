package dev.altimeter.collector.polling.partition;

import dev.altimeter.collector.polling.ResourcePartition;
import dev.altimeter.storage.MembershipStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Membership of polling agents that share one {@link MembershipStore} (in production PostgreSQL's
 * {@code polling_member} table), and the resulting split of resources: a {@link HashRing} over the
 * live members.
 *
 * <p>Every heartbeat records this agent's heartbeat with the clock's time, then reads the members whose
 * heartbeat is younger than {@code timeout} and rebuilds the ring. So a joining agent, or one that
 * {@link #leave() leaves} (deletes its heartbeat), is seen by every other agent at its next heartbeat,
 * within one heartbeat period; an agent that dies without leaving drops out once its last
 * heartbeat is older than {@code timeout} (default two periods; at most timeout + one period).
 * A joining agent owns nothing until one period after its first heartbeat, when every other agent
 * has seen it and dropped its share: a join never makes two agents poll a resource (a leave or a
 * death leaves that share unpolled until the others' next heartbeat, never doubled). Agents' clocks must agree within a small part of {@code timeout} (NTP).
 *
 * <p>A failing heartbeat keeps the previous ring and is retried at the next period. Thread-safe:
 * {@link #owns} reads an immutable ring from an atomic reference.
 */
public final class GroupMembership implements ResourcePartition, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupMembership.class);

  private final MembershipStore store;
  private final String group;
  private final String memberId;
  private final Duration period;
  private final Duration timeout;
  private final Clock clock;
  private final AtomicReference<HashRing> ring = new AtomicReference<>(new HashRing(List.of()));
  private final AtomicBoolean left = new AtomicBoolean();
  private final AtomicReference<Instant> firstHeartbeat = new AtomicReference<>();
  private volatile boolean ready;
  private volatile Disposable schedule;

  /**
   * @param group the partitioning group (agents that split the same resources), e.g. {@code central}
   * @param memberId unique per agent, e.g. the pod name
   * @param period the heartbeat period
   * @param timeout how long a member without heartbeat stays in the ring; at least {@code period}
   */
  public GroupMembership(MembershipStore store, String group, String memberId, Duration period,
      Duration timeout, Clock clock) {
    this.store = Objects.requireNonNull(store);
    this.group = Objects.requireNonNull(group);
    this.memberId = Objects.requireNonNull(memberId);
    this.period = Objects.requireNonNull(period);
    this.timeout = timeout == null ? period.multipliedBy(2) : timeout;
    if (this.timeout.compareTo(period) < 0) throw new IllegalArgumentException("timeout must be at least the period");
    this.clock = Objects.requireNonNull(clock);
  }

  public String memberId() {
    return memberId;
  }

  /** The live members as of the last heartbeat, sorted. */
  public List<String> members() {
    return ring.get().members();
  }

  /**
   * Whether this agent polls {@code resource}: it is this agent's on the ring of live members, and
   * this agent has been a member for at least one heartbeat period (so every other live agent has
   * seen it join and given its share up; a join causes no double polling).
   */
  @Override
  public boolean owns(String resource) {
    return ready && memberId.equals(ring.get().owner(resource));
  }

  /**
   * Heartbeats now, then every period on {@code timer}. Completes after the first heartbeat (or
   * fails with its error; the periodic heartbeats go on).
   */
  public Mono<Void> start(Scheduler timer) {
    return heartbeat().doFinally(s -> {
      if (!left.get() && schedule == null) {
        schedule = Flux.interval(period, period, timer)
            .onBackpressureDrop()
            .concatMap(tick -> heartbeat().onErrorResume(e -> {
              log.warn("polling membership heartbeat of {} failed: {}", memberId, e.toString());
              return Mono.empty();
            }), 1)
            .subscribe();
      }
    });
  }

  /**
   * One heartbeat: refresh this agent's heartbeat, forget members dead for ten timeouts (so the store does not
   * grow with every pod name ever seen), read the live members, rebuild the ring.
   */
  public Mono<Void> heartbeat() {
    return Mono.defer(() -> {
      if (left.get()) return Mono.empty();
      Instant now = clock.instant();
      return store.heartbeat(group, memberId, now)
          .then(store.forget(group, now.minus(timeout.multipliedBy(10))))
          .thenMany(store.members(group, now.minus(timeout)))
          .collectList()
          .doOnNext(members -> {
            List<String> all = new ArrayList<>(members);
            if (!all.contains(memberId)) all.add(memberId);
            HashRing previous = ring.get();
            HashRing next = new HashRing(all);
            ring.set(next);
            firstHeartbeat.compareAndSet(null, now);
            ready = !now.isBefore(firstHeartbeat.get().plus(period));
            if (!previous.members().equals(next.members())) {
              log.info("polling group {} members now {} (was {})", group, next.members(), previous.members());
            }
          })
          .then();
    });
  }

  /** Stops heartbeating and deletes this agent's heartbeat, so the others take over at their next heartbeat. */
  public Mono<Void> leave() {
    return Mono.defer(() -> {
      if (!left.compareAndSet(false, true)) return Mono.empty();
      Disposable s = schedule;
      if (s != null) s.dispose();
      ready = false;
      ring.set(new HashRing(List.of()));
      return store.leave(group, memberId);
    });
  }

  /** Stops heartbeating without leaving (the heartbeat expires after the timeout). */
  @Override
  public void close() {
    left.set(true);
    Disposable s = schedule;
    if (s != null) s.dispose();
  }
}
