package dev.altimeter.collector.pipeline.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.altimeter.storage.SampleConsumer;
import dev.altimeter.storage.StoreException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** Callers classify a refusal by its type, so several sinks' failures must not reach them as a composite. */
class FailuresTest {
  private final StoreException.InvalidData invalid = new StoreException.InvalidData("NUL (SQLSTATE 22021)");
  private final StoreException.Unavailable down = new StoreException.Unavailable("connection refused", null);
  private final SampleConsumer.Overloaded full = new SampleConsumer.Overloaded("full");

  @Test
  void aPermanentFailureDecidesOverATransientOne() {
    assertThatThrownBy(() -> Mono.whenDelayError(Mono.error(full), Mono.error(invalid), Mono.error(down))
        .onErrorMap(Failures::decisive).block(Duration.ofSeconds(5))).isSameAs(invalid);
    assertThatThrownBy(() -> Mono.whenDelayError(Mono.error(full), Mono.error(down))
        .onErrorMap(Failures::decisive).block(Duration.ofSeconds(5))).isSameAs(down);
  }

  @Test
  void aSingleFailurePassesUnchanged() {
    assertThat(Failures.decisive(full)).isSameAs(full);
    RuntimeException bug = new IllegalStateException("bug");
    assertThat(Failures.decisive(bug)).isSameAs(bug);
  }
}
