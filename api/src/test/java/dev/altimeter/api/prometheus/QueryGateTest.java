package dev.altimeter.api.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import org.junit.jupiter.api.Test;

class QueryGateTest {
  @Test
  void refusesTheQueryPastTheLimitAndFreesTheSlotWhenOneEnds() {
    QueryGate gate = new QueryGate(2);
    Disposable first = gate.admit(Mono.never()).subscribe();
    Disposable second = gate.admit(Mono.never()).subscribe();
    assertThat(gate.running()).isEqualTo(2);

    StepVerifier.create(gate.admit(Mono.just("third")))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(PrometheusError.class)
            .hasMessageContaining("altimeter.prometheus.max-concurrency=2"))
        .verify();
    assertThat(gate.running()).as("a refused query holds no slot").isEqualTo(2);

    first.dispose(); // a cancelled query (a timeout, a client gone) frees its slot
    StepVerifier.create(gate.admit(Mono.just("fourth"))).expectNext("fourth").verifyComplete();
    assertThat(gate.running()).as("a finished query frees its slot").isEqualTo(1);
    second.dispose();
    assertThat(gate.running()).isZero();
  }

  @Test
  void aFailedQueryFreesItsSlot() {
    QueryGate gate = new QueryGate(1);
    StepVerifier.create(gate.admit(Mono.error(new IllegalStateException("boom")))).verifyError(IllegalStateException.class);
    StepVerifier.create(gate.admit(Mono.just(1))).expectNext(1).verifyComplete();
    assertThat(gate.running()).isZero();
  }
}
