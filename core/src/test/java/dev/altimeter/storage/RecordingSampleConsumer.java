package dev.altimeter.storage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A {@link SampleConsumer} for tests (as Zipkin's consumertest is for span consumers): it records
 * the batches it acknowledges, and can be told to refuse calls or to hold them unacknowledged.
 * Thread-safe; every decision is taken when the returned Mono is subscribed, as a real pipeline's.
 *
 * <p>A batch is recorded when its Mono completes: a refused batch never is, a held one only once
 * released.
 */
public final class RecordingSampleConsumer implements SampleConsumer {
  private final Object lock = new Object();
  private final List<List<Sample>> batches = new ArrayList<>();
  private final List<Sinks.Empty<Void>> held = new ArrayList<>();
  private int calls;
  private RuntimeException refusal;
  /** Calls still to refuse with {@link #refusal}; negative: every call. */
  private int refusalsLeft;
  private boolean holding;

  @Override
  public Mono<Void> accept(List<Sample> samples) {
    List<Sample> batch = List.copyOf(samples);
    return Mono.defer(() -> {
      Sinks.Empty<Void> gate = null;
      synchronized (lock) {
        calls++;
        if (refusalsLeft != 0) {
          if (refusalsLeft > 0) refusalsLeft--;
          return Mono.error(refusal);
        }
        if (holding) {
          gate = Sinks.empty();
          held.add(gate);
        }
      }
      if (gate == null) {
        record(batch);
        return Mono.empty();
      }
      return gate.asMono().doOnSuccess(v -> record(batch));
    });
  }

  private void record(List<Sample> batch) {
    synchronized (lock) {
      batches.add(batch);
      lock.notifyAll();
    }
  }

  /** Refuses every call from now on with {@code error} (e.g. {@link SampleConsumer.Overloaded}). */
  public void refuse(RuntimeException error) {
    refuseNext(-1, error);
  }

  /** Refuses the next {@code n} calls with {@code error}, then accepts again. */
  public void refuseNext(int n, RuntimeException error) {
    synchronized (lock) {
      refusal = error;
      refusalsLeft = n;
    }
  }

  /** How many calls are still to be refused (negative: every call). */
  public int refusalsLeft() {
    synchronized (lock) {
      return refusalsLeft;
    }
  }

  /** Stops refusing and holding: later calls are acknowledged at once. */
  public void acceptAll() {
    synchronized (lock) {
      refusalsLeft = 0;
      holding = false;
    }
  }

  /** Holds later calls unacknowledged (a stalled store) until {@link #release}. */
  public void hold() {
    synchronized (lock) {
      holding = true;
    }
  }

  /** Acknowledges every held call (they are recorded then); later calls are still held. */
  public void release() {
    List<Sinks.Empty<Void>> gates;
    synchronized (lock) {
      gates = new ArrayList<>(held);
      held.clear();
    }
    gates.forEach(Sinks.Empty::tryEmitEmpty);
  }

  /** How many calls are held now. */
  public int held() {
    synchronized (lock) {
      return held.size();
    }
  }

  /** How many times the consumer was called (subscribed), acknowledged or not. */
  public int calls() {
    synchronized (lock) {
      return calls;
    }
  }

  /** The acknowledged batches, in acknowledgement order. */
  public List<List<Sample>> batches() {
    synchronized (lock) {
      return List.copyOf(batches);
    }
  }

  /** The samples of the acknowledged batches, in order. */
  public List<Sample> samples() {
    synchronized (lock) {
      return batches.stream().flatMap(List::stream).toList();
    }
  }

  /**
   * Waits until at least {@code n} samples are acknowledged and returns them all.
   *
   * @throws AssertionError when they did not come within {@code timeout}, saying how many did
   */
  public List<Sample> awaitSamples(int n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (count() < n) {
        long left = deadline - System.nanoTime();
        if (left <= 0) throw new AssertionError("waited " + timeout + " for " + n + " samples, got " + count());
        java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return samples();
    }
  }

  private int count() {
    return batches.stream().mapToInt(List::size).sum();
  }
}
