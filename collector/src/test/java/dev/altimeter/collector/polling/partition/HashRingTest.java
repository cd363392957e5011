package dev.altimeter.collector.polling.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class HashRingTest {
  final List<String> keys = IntStream.range(0, 3000).mapToObj(i -> "resource-" + i).toList();

  @Test
  void spreadsKeysOverMembers() {
    HashRing ring = new HashRing(List.of("a", "b", "c"));
    Map<String, Integer> counts = new HashMap<>();
    keys.forEach(k -> counts.merge(ring.owner(k), 1, Integer::sum));
    assertThat(counts).containsOnlyKeys("a", "b", "c");
    assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(600, 1400));
  }

  @Test
  void removingAMemberMovesOnlyItsKeys() {
    HashRing three = new HashRing(List.of("a", "b", "c"));
    HashRing two = new HashRing(List.of("a", "b"));
    for (String k : keys) {
      if (!three.owner(k).equals("c")) assertThat(two.owner(k)).isEqualTo(three.owner(k));
    }
  }

  @Test
  void ownershipDoesNotDependOnMemberOrder() {
    HashRing x = new HashRing(List.of("a", "b", "c"));
    HashRing y = new HashRing(List.of("c", "a", "b"));
    keys.forEach(k -> assertThat(x.owner(k)).isEqualTo(y.owner(k)));
    assertThat(new HashRing(List.of()).owner("k")).isNull();
  }

  @Test
  void hashIsTheFirstFourBytesOfMd5() {
    // md5("") = d41d8cd98f00b204e9800998ecf8427e
    assertThat(HashRing.hash("")).isEqualTo(0xd41d8cd9L);
  }
}
