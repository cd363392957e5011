package dev.altimeter.deploy;

import dev.altimeter.collector.notification.amqp.NotificationListener;
import dev.altimeter.collector.pipeline.publish.DatabasePublisher;
import dev.altimeter.collector.pipeline.route.RunningPipelines;
import dev.altimeter.collector.polling.PollingAgent;
import dev.altimeter.collector.polling.ResourcePartition;
import dev.altimeter.collector.polling.partition.GroupMembership;
import dev.altimeter.collector.receive.TcpReceiver;
import dev.altimeter.collector.receive.UdpReceiver;
import dev.altimeter.storage.Event;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The order in which the service's parts start and stop, in one place: the phase of every
 * lifecycle component and the components themselves.
 *
 * <p>Spring starts {@link SmartLifecycle} beans by ascending phase and stops them by descending
 * phase; beans (the store among them) are made before the first start and destroyed after the last
 * stop. So:
 *
 * <pre>
 * start: store (bean) → {@link #STORE_WRITERS} → {@link #PIPELINES} → sources:
 *        {@link #POLLING}, {@link #RECEIVERS} and the web server ({@link #WEB_SERVER}), AMQP consumers
 * stop:  intake first: {@link #NOTIFICATION_DRAIN} (pause consumption, wait until what is in flight
 *        is acknowledged) → AMQP consumers ({@link #NOTIFICATION_CONSUMERS}) → web server graceful
 *        shutdown ({@link #WEB_SERVER_GRACEFUL_SHUTDOWN}: requests in flight answered) → web server
 *        and {@link #RECEIVERS} → {@link #POLLING};
 *        then {@link #PIPELINES} (flush: transformers' and sinks' queues published);
 *        then {@link #STORE_WRITERS} (everything accepted committed);
 *        then the store closes (its bean's destroy method).
 * </pre>
 *
 * <p>Why: a source stopped after the pipeline would hand samples to a pipeline that no longer
 * publishes them, and a notification acknowledged after its commit must be committed before the
 * store closes: with this order SIGTERM loses no acknowledged notification (.ci/shutdown-check.sh).
 * The pipeline flush and the writers' drain share one budget, the shutdown phase timeout ({@link
 * ShutdownBudget}), so a store that hangs at shutdown cannot keep the process past the pod's grace
 * period (what is left uncommitted was not acknowledged: the broker redelivers it).
 *
 * <p>Each component logs its start and stop at INFO ({@code Lifecycle: started store writers}), so
 * the order can be read in the log; {@code ServiceLifecycleTest} holds it.
 */
final class ServiceLifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceLifecycle.class);

  /** {@link DatabasePublisher}'s batch writers: started first, drained last. */
  static final int STORE_WRITERS = SmartLifecycle.DEFAULT_PHASE - 5120;
  /** The sample and event pipelines: started before any source, flushed after every source stopped. */
  static final int PIPELINES = SmartLifecycle.DEFAULT_PHASE - 4096;
  /** The polling agent (and its group membership). */
  static final int POLLING = SmartLifecycle.DEFAULT_PHASE - 3072;
  /** The UDP and TCP receivers. */
  static final int RECEIVERS = SmartLifecycle.DEFAULT_PHASE - 2048;
  /** Spring Boot's reactive web server start and stop (its own constant, here for the order's sake). */
  static final int WEB_SERVER = SmartLifecycle.DEFAULT_PHASE - 2048;
  /** Spring Boot's graceful shutdown of the web server ({@code WebServerGracefulShutdownLifecycle}). */
  static final int WEB_SERVER_GRACEFUL_SHUTDOWN = SmartLifecycle.DEFAULT_PHASE - 1024;
  /** The AMQP listener container: stopped right after {@link #NOTIFICATION_DRAIN}. */
  static final int NOTIFICATION_CONSUMERS = Integer.MAX_VALUE - 1;
  /** Pauses consumption and waits for the notifications in flight: stopped first of all. */
  static final int NOTIFICATION_DRAIN = Integer.MAX_VALUE;

  private ServiceLifecycle() {}

  /**
   * One deadline for the pipeline flush and the writers' drain: set when the first of them stops,
   * the shutdown phase timeout later.
   */
  static final class ShutdownBudget {
    private final Duration timeout;
    private long deadline; // guarded by this; 0: not started

    ShutdownBudget(Duration timeout) {
      this.timeout = timeout;
    }

    synchronized Duration remaining() {
      if (deadline == 0) deadline = System.nanoTime() + timeout.toNanos();
      return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
    }

    /** Waits for {@code drain} within what is left of the budget; a drain that runs over is logged, not thrown. */
    void await(String what, Mono<Void> drain) {
      try {
        drain.block(remaining());
      } catch (RuntimeException e) {
        LOG.warn("Shutdown: {} not drained within {}: {}", what, timeout, e.toString());
      }
    }
  }

  /**
   * A named part of the service with its phase; logs its start and stop. {@code start} and {@code
   * stop} block (Spring's thread, never an event loop).
   */
  abstract static class Stage implements SmartLifecycle {
    private final String name;
    private final int phase;
    private final Runnable start;
    private final Runnable stop;
    private volatile boolean running;

    Stage(String name, int phase, Runnable start, Runnable stop) {
      this.name = name;
      this.phase = phase;
      this.start = start;
      this.stop = stop;
    }

    @Override
    public final void start() {
      start.run();
      running = true;
      LOG.info("Lifecycle: started {}", name);
    }

    @Override
    public final void stop() {
      LOG.info("Lifecycle: stopping {}", name);
      try {
        stop.run();
      } finally {
        running = false;
      }
    }

    @Override
    public final boolean isRunning() {
      return running;
    }

    @Override
    public final int getPhase() {
      return phase;
    }
  }

  /** {@code database://}: lets batches be written before any pipeline publishes; drains after every pipeline flushed. */
  static final class StoreWriters extends Stage {
    StoreWriters(DatabasePublisher publisher, ShutdownBudget budget) {
      super("store writers", STORE_WRITERS, publisher::startWriters,
          () -> budget.await("store writers", publisher.drain()));
    }
  }

  /** The sample pipelines and (with the store; otherwise null) the event pipelines. */
  static final class Pipelines extends Stage {
    Pipelines(PipelineConfiguration.SampleRuntime samples, RunningPipelines<Event> events, ShutdownBudget budget) {
      super("pipelines", PIPELINES, () -> {
        samples.start().get().block(Duration.ofSeconds(30));
        if (events != null) events.start().block(Duration.ofSeconds(30));
      }, () -> {
        budget.await("sample pipelines", samples.stop().get());
        if (events != null) budget.await("event pipelines", events.stop());
      });
    }
  }

  /** The polling agent: polls once the pipeline is up, stops polling (and leaves its group) before it flushes. */
  static final class Polling extends Stage {
    Polling(PollingAgent agent, ResourcePartition partition) {
      super("polling", POLLING, () -> {
        if (partition instanceof GroupMembership m) m.start(Schedulers.single()).block(Duration.ofSeconds(30));
        agent.start().block(Duration.ofSeconds(30));
      }, () -> {
        try {
          agent.stop().block(Duration.ofSeconds(30));
        } finally {
          if (partition instanceof GroupMembership m) m.leave().block(Duration.ofSeconds(10));
        }
      });
    }
  }

  /** The UDP and TCP receivers (either may be off: null): bound after the pipeline started, unbound before it flushes. */
  static final class Receivers extends Stage {
    Receivers(UdpReceiver udp, TcpReceiver tcp) {
      super("receivers", RECEIVERS, () -> {
        if (udp != null) udp.start();
        if (tcp != null) tcp.start();
      }, () -> {
        try {
          if (udp != null) udp.stop();
        } finally {
          if (tcp != null) tcp.stop();
        }
      });
    }
  }

  /**
   * Notification intake, stopped first: before the listener container closes its channels, pauses
   * consumption and waits for the notifications in flight to be stored and acknowledged (at most
   * {@code timeout}), so that what was taken is either acknowledged after its commit or, untouched,
   * back on the queue. The pipeline and the store writers stop later, so the in-flight work can finish.
   */
  static final class NotificationDrain extends Stage {
    NotificationDrain(NotificationListener listener, Duration timeout) {
      super("notification intake", NOTIFICATION_DRAIN, listener::resume, () -> pauseAndWait(listener, timeout));
    }

    private static void pauseAndWait(NotificationListener listener, Duration timeout) {
      listener.pause();
      try {
        if (!listener.awaitIdle(timeout)) {
          LOG.warn("Shutdown: {} notifications still in flight after {}; the broker will redeliver them",
              listener.inFlight(), timeout);
        } else {
          LOG.info("Shutdown: notification consumption paused, in-flight notifications acknowledged");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
