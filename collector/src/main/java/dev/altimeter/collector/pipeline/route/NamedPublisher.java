package dev.altimeter.collector.pipeline.route;

import dev.altimeter.collector.pipeline.publish.Publisher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * A sink's publisher with its metric tag (the redacted URL), its counters and its failure warnings.
 * Thread-safe.
 */
final class NamedPublisher {
  /**
   * At most one warning per publisher this often. While the store is down every batch fails, and a
   * notification stream's batches are often of one sample: a line per batch was a line per sample
   * (CI's restart of PostgreSQL logged hundreds in seconds). The counters keep the totals.
   */
  static final long WARNING_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  final String name;
  final Publisher publisher;
  final Counter published;
  final Counter failedItems;
  final Counter failedBatches;
  final Timer latency;
  private final LongSupplier nanoTime;
  /** When the next warning may be logged ({@link System#nanoTime} scale). */
  private final AtomicLong nextWarning;
  /** Failures not logged since the last warning. */
  private final AtomicLong unlogged = new AtomicLong();

  NamedPublisher(String sink, String name, Publisher publisher, MeterRegistry registry) {
    this(sink, name, publisher, registry, System::nanoTime);
  }

  NamedPublisher(String sink, String name, Publisher publisher, MeterRegistry registry, LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.nextWarning = new AtomicLong(nanoTime.getAsLong());
    this.name = name;
    this.publisher = publisher;
    this.published = Counter.builder("altimeter.pipeline.published")
        .description("Items a publisher delivered").tags("sink", sink, "publisher", name).register(registry);
    this.failedItems = Counter.builder("altimeter.pipeline.publish.failed")
        .description("Items in batches a publisher failed to deliver").tags("sink", sink, "publisher", name)
        .register(registry);
    this.failedBatches = Counter.builder("altimeter.pipeline.publish.failed.batches")
        .description("Batches a publisher failed to deliver").tags("sink", sink, "publisher", name)
        .register(registry);
    this.latency = Timer.builder("altimeter.pipeline.publish.latency")
        .description("Time to publish one batch").tags("sink", sink, "publisher", name).register(registry);
  }

  /**
   * Counts a failed batch of {@code items} and warns on {@code log}, unless a warning was logged less
   * than {@link #WARNING_INTERVAL_NANOS} ago; the next warning says how many failures it left out.
   * {@code what} says what failed, e.g. {@code "sink 'meter_sink': publisher database:// failed on a
   * batch of 3 samples"}; built only when logged.
   */
  void failed(int items, Throwable e, Logger log, Supplier<String> what) {
    failedBatches.increment();
    failedItems.increment(items);
    long now = nanoTime.getAsLong();
    long next = nextWarning.get();
    if (now - next < 0 || !nextWarning.compareAndSet(next, now + WARNING_INTERVAL_NANOS)) {
      unlogged.incrementAndGet();
      return;
    }
    long left = unlogged.getAndSet(0);
    log.warn("{}: {}{}", what.get(), e.toString(), left == 0 ? ""
        : " (and " + left + " more failed batches since the last warning, which are counted but not logged)");
  }
}
