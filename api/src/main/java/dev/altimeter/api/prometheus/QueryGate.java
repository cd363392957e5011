package dev.altimeter.api.prometheus;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;

/**
 * Admits at most {@code max} queries at once (altimeter.prometheus.max-concurrency); one more is
 * refused at once with 503 {@code unavailable} and counted in {@code
 * altimeter_prometheus_queries_refused_total}, so that the memory queries hold stays near {@code
 * max × max-samples × 16} bytes whatever the callers send. Refusing rather than queueing keeps
 * every buffer bounded; the client retries after {@code Retry-After}. Thread-safe.
 */
final class QueryGate {
  private final int max;
  private final AtomicInteger running = new AtomicInteger();
  private final Counter refused = Metrics.counter("altimeter.prometheus.queries.refused");

  QueryGate(int max) {
    this.max = max;
  }

  /** The query, run only if a slot is free when subscribed; the slot is freed when it ends or is cancelled. */
  <T> Mono<T> admit(Mono<T> query) {
    return Mono.defer(() -> {
      if (running.incrementAndGet() > max) {
        running.decrementAndGet();
        refused.increment();
        return Mono.error(PrometheusError.unavailable(
            "too many concurrent queries (altimeter.prometheus.max-concurrency=" + max + "), retry later"));
      }
      return query.doFinally(signal -> running.decrementAndGet());
    });
  }

  int running() {
    return running.get();
  }
}
