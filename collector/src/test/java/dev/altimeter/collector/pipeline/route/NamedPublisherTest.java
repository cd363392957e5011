package dev.altimeter.collector.pipeline.route;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A publisher failing every batch (the store down) warns once per interval, and counts every batch. */
class NamedPublisherTest {
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(NamedPublisherTest.class);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicLong now = new AtomicLong(-5); // nanoTime may be negative, and wraps
  private final NamedPublisher publisher =
      new NamedPublisher("meter_sink", "database://", new RecordingPublisher(true), registry, now::get);

  @BeforeEach
  void attach() {
    log.start();
    logger.addAppender(log);
  }

  @AfterEach
  void detach() {
    logger.detachAppender(log);
  }

  @Test
  void anOutageIsWarnedOncePerIntervalWithHowManyFailuresWereLeftOut() {
    Exception down = new IllegalStateException("PostgreSQL is unavailable");
    for (int i = 0; i < 300; i++) fail(down); // one moment: only the first is logged
    now.addAndGet(NamedPublisher.WARNING_INTERVAL_NANOS - 1);
    fail(down); // not yet
    now.addAndGet(1);
    fail(down);

    assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
        "sink 'meter_sink': publisher database:// failed on a batch of 2 samples: java.lang.IllegalStateException:"
            + " PostgreSQL is unavailable",
        "sink 'meter_sink': publisher database:// failed on a batch of 2 samples: java.lang.IllegalStateException:"
            + " PostgreSQL is unavailable (and 300 more failed batches since the last warning, which are counted but"
            + " not logged)");
    assertThat(publisher.failedBatches.count()).isEqualTo(302);
    assertThat(publisher.failedItems.count()).isEqualTo(604);
  }

  @Test
  void theIntervalHoldsAcrossTheWrapOfNanoTime() {
    now.set(Long.MAX_VALUE - 10);
    NamedPublisher wrapping = new NamedPublisher("s", "p", new RecordingPublisher(true), registry, now::get);
    wrapping.failed(1, new IllegalStateException("x"), logger, () -> "first");
    now.set(Long.MIN_VALUE + 10); // 21 ns later
    wrapping.failed(1, new IllegalStateException("x"), logger, () -> "second");
    now.addAndGet(NamedPublisher.WARNING_INTERVAL_NANOS);
    wrapping.failed(1, new IllegalStateException("x"), logger, () -> "third");

    assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
        "first: java.lang.IllegalStateException: x",
        "third: java.lang.IllegalStateException: x (and 1 more failed batches since the last warning, which are"
            + " counted but not logged)");
  }

  private void fail(Exception e) {
    publisher.failed(2, e, logger, () -> "sink 'meter_sink': publisher database:// failed on a batch of 2 samples");
  }
}
