package dev.altimeter.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.storage.MembershipStore;
import dev.altimeter.storage.TestPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The membership SQL against PostgreSQL: each group is unique per test, so no truncation is needed. */
class PostgresMembershipStoreTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  final MembershipStore store = new PostgresMembershipStore(TestPostgres.storage().connectionFactory());
  final String group = "g-" + UUID.randomUUID();

  @Test
  void heartbeatsJoinAndRefreshMembersAreTheLiveOnesSortedAndOnlyOfTheirGroup() {
    store.heartbeat(group, "b", T0).block(TIMEOUT);
    store.heartbeat(group, "a", T0.plusSeconds(5)).block(TIMEOUT);
    store.heartbeat("other-" + group, "c", T0.plusSeconds(5)).block(TIMEOUT);
    assertThat(store.members(group, T0.minusSeconds(1)).collectList().block(TIMEOUT)).containsExactly("a", "b");
    // b's heartbeat is not after T0: b is not live as of then
    assertThat(store.members(group, T0).collectList().block(TIMEOUT)).containsExactly("a");

    store.heartbeat(group, "b", T0.plusSeconds(10)).block(TIMEOUT); // refreshed, not a second row
    assertThat(store.members(group, T0).collectList().block(TIMEOUT)).containsExactly("a", "b");
  }

  @Test
  void forgetDeletesOnlyHeartbeatsBeforeTheTimeAndLeaveOnlyTheMember() {
    store.heartbeat(group, "old", T0).block(TIMEOUT);
    store.heartbeat(group, "new", T0.plusSeconds(60)).block(TIMEOUT);
    store.heartbeat(group, "leaver", T0.plusSeconds(60)).block(TIMEOUT);

    store.forget(group, T0.plusSeconds(30)).block(TIMEOUT);
    store.leave(group, "leaver").block(TIMEOUT);

    assertThat(store.members(group, T0.minusSeconds(1)).collectList().block(TIMEOUT)).containsExactly("new");
  }
}
