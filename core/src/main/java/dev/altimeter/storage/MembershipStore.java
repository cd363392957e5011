package dev.altimeter.storage;

import java.time.Instant;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Where agents that split work among themselves (the polling agents of one group) record that they
 * are alive and learn who else is. The store only keeps one heartbeat time per (group, member); what
 * counts as alive, and who owns what, is the caller's decision (the collector's hash ring).
 *
 * <p>Times are the callers' clocks, compared as given: members of one group must agree on the time
 * within a small part of their timeout. Implementations are thread-safe and never block the caller;
 * a store that cannot be reached fails with {@link StoreException.Unavailable}.
 */
public interface MembershipStore {

  /** Records that {@code memberId} of {@code group} is alive at {@code at}: joins, or refreshes its heartbeat. */
  Mono<Void> heartbeat(String group, String memberId, Instant at);

  /** The members of {@code group} whose last heartbeat is after {@code after}, sorted by id, each once. */
  Flux<String> members(String group, Instant after);

  /** Deletes the members of {@code group} whose last heartbeat is before {@code before} (long dead). */
  Mono<Void> forget(String group, Instant before);

  /** Deletes the row of {@code memberId}: the others stop counting it at their next {@link #members} read. */
  Mono<Void> leave(String group, String memberId);
}
