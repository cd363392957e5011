package dev.altimeter.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.altimeter.storage.TestPostgres;
import dev.altimeter.storage.TokenStore;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PostgresTokenStoreTest {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  final TokenStore tokens = TestPostgres.storage().tokens();

  @BeforeEach
  void clear() {
    TestPostgres.truncate();
  }

  static byte[] hash(int seed) {
    byte[] h = new byte[32];
    Arrays.fill(h, (byte) seed);
    return h;
  }

  @Test
  void tokensAreFoundByHashListedAndDeleted() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    var a = new TokenStore.Token(UUID.randomUUID(), "p1", null, List.of("admin"), now);
    var b = new TokenStore.Token(UUID.randomUUID(), "p2", "u2", List.of("member", "reader"), now.plusSeconds(1),
        now.plusSeconds(3600));
    tokens.create(a, hash(1)).block(TIMEOUT);
    tokens.create(b, hash(2)).block(TIMEOUT);

    assertThat(tokens.find(hash(1)).block(TIMEOUT)).isEqualTo(a);
    assertThat(tokens.find(hash(2)).block(TIMEOUT)).isEqualTo(b);
    assertThat(a.expiredAt(now.plusSeconds(1_000_000))).isFalse();
    assertThat(b.expiredAt(now.plusSeconds(3599))).isFalse();
    assertThat(b.expiredAt(now.plusSeconds(3600))).isTrue();
    assertThat(tokens.find(hash(3)).block(TIMEOUT)).isNull();
    assertThat(tokens.list().collectList().block(TIMEOUT)).containsExactly(a, b);

    assertThat(tokens.delete(a.id()).block(TIMEOUT)).isTrue();
    assertThat(tokens.delete(a.id()).block(TIMEOUT)).isFalse();
    assertThat(tokens.find(hash(1)).block(TIMEOUT)).isNull();
  }

  @Test
  void aHashIsUniqueAndThirtyTwoBytes() {
    tokens.create(new TokenStore.Token(UUID.randomUUID(), "p1", null, List.of(), Instant.now()), hash(1)).block(TIMEOUT);
    assertThatThrownBy(() -> tokens.create(new TokenStore.Token(UUID.randomUUID(), "p2", null, List.of(), Instant.now()),
        hash(1)).block(TIMEOUT)).isInstanceOf(RuntimeException.class);
    assertThatThrownBy(() -> tokens.create(new TokenStore.Token(UUID.randomUUID(), "p2", null, List.of(), Instant.now()),
        new byte[] {1, 2}).block(TIMEOUT)).isInstanceOf(RuntimeException.class);
  }
}
