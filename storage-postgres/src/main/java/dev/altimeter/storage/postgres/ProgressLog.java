package dev.altimeter.storage.postgres;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * A line in the log every few seconds while a blocking wait runs (crash recovery of the embedded
 * server can take minutes, and a silent start-up looks hung). Open it around the wait, close it after.
 */
final class ProgressLog implements AutoCloseable {
  static final Duration INTERVAL = Duration.ofSeconds(5);

  private final ScheduledExecutorService timer;

  /**
   * @param what what is being waited for, e.g. "the embedded PostgreSQL to accept connections"
   * @param limit how long the caller waits at most (logged, so the operator knows when it gives up)
   * @param hint why it may take long, appended to each line; empty for none
   */
  ProgressLog(Logger log, String what, Duration limit, String hint) {
    long started = System.nanoTime();
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "embedded-postgres-progress");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleAtFixedRate(() -> log.info("Still waiting for {}: {} s of at most {} s{}", what,
            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), limit.toSeconds(), hint),
        INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
