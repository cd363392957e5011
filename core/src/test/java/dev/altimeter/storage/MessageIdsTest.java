package dev.altimeter.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MessageIdsTest {
  @Test
  void idsAreVersion7UniqueAndTimeOrdered() {
    Set<UUID> seen = new HashSet<>();
    long before = System.currentTimeMillis();
    for (int i = 0; i < 100_000; i++) seen.add(MessageIds.random());
    assertThat(seen).hasSize(100_000);
    UUID id = MessageIds.random();
    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2);
    assertThat(id.getMostSignificantBits() >>> 16).isBetween(before, System.currentTimeMillis());
  }
}
