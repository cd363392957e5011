package dev.altimeter.collector.notification.amqp;

import com.rabbitmq.client.Channel;
import dev.altimeter.collector.notification.Notification;
import dev.altimeter.collector.notification.NotificationAgent;
import dev.altimeter.storage.SampleConsumer;
import dev.altimeter.storage.StoreException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareMessageListener;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Consumes notifications with manual acknowledgement: a message is acknowledged only after
 * everything it produced is committed (a notification whose samples or event did not convert but
 * that produced something is acknowledged too, the failed part counted and logged by {@link
 * ConversionFailures}, as Ceilometer does), together with the settled deliveries before it (one {@code
 * basic.ack} with {@code multiple} per contiguous run, see {@link Acknowledgements}); a message
 * that can never be processed (malformed, nothing of it convertible, its values refused by the store, too
 * large, or any failure that is not transient) is copied to the dead-letter queue with the reason
 * in its headers, then acknowledged; a transient failure (the store unavailable, the pipeline full)
 * returns it to the broker after a pause, so the broker keeps the backlog and consumption slows
 * with the store.
 *
 * <p>Runs on the broker client's dispatch threads and never blocks them: storing is asynchronous.
 * Acknowledgements and dead letters are socket writes of the blocking AMQP client, so they are
 * sent from the bounded {@code brokerIo} scheduler, never from the store's event loop (channels
 * accept acks from any thread). In-flight messages per consumer are bounded by the prefetch count.
 *
 * <p>Shutdown: {@link #pause()} then {@link #awaitIdle} before the container closes its channels.
 * A channel closed while a notification is still being stored would have the broker redeliver a
 * notification that is then committed as well (harmless, deduplicated, but not clean); so
 * consumption pauses first (deliveries that still arrive are left unacknowledged, and the broker
 * takes them back when the channel closes), and the notifications in flight finish and are
 * acknowledged on the open channel.
 */
public final class NotificationListener implements ChannelAwareMessageListener {
  private static final Logger LOG = LoggerFactory.getLogger(NotificationListener.class);
  /** Headers a dead-lettered notification carries. */
  public static final String REASON = "x-altimeter-reason";
  public static final String ORIGINAL_EXCHANGE = "x-altimeter-exchange";
  public static final String ORIGINAL_ROUTING_KEY = "x-altimeter-routing-key";

  private final NotificationAgent agent;
  private final RabbitTemplate deadLetters;
  private final NotificationTopology topology;
  private final Duration redeliveryDelay;
  private final Scheduler brokerIo;
  private final Counter processed;
  private final Counter deadLettered;
  private final Counter redelivered;
  private final ConversionFailures conversionFailures;
  private final Map<Channel, Acknowledgements> channels = new ConcurrentHashMap<>();
  /** Notifications taken and not yet acknowledged, dead-lettered or requeued. */
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean paused;

  /**
   * @param brokerIo a bounded scheduler for the blocking client calls (acks, nacks, dead letters)
   */
  public NotificationListener(NotificationAgent agent, RabbitTemplate deadLetters, NotificationTopology topology,
      Duration redeliveryDelay, Scheduler brokerIo, MeterRegistry registry) {
    this.agent = agent;
    this.deadLetters = deadLetters;
    this.topology = topology;
    this.redeliveryDelay = redeliveryDelay;
    this.brokerIo = brokerIo;
    this.processed = counter(registry, "processed");
    this.deadLettered = counter(registry, "dead_lettered");
    this.redelivered = counter(registry, "requeued");
    this.conversionFailures = new ConversionFailures(registry);
  }

  private static Counter counter(MeterRegistry registry, String outcome) {
    return Counter.builder("altimeter.notifications").tag("outcome", outcome)
        .description("Notifications consumed from the broker, by outcome").register(registry);
  }

  @Override
  public void onMessage(Message message, Channel channel) {
    // count first, then look at the flag: awaitIdle either sees this message or this one sees the pause
    inFlight.incrementAndGet();
    Acknowledgements.Delivery delivery = acknowledgements(channel).received(message.getMessageProperties().getDeliveryTag());
    if (paused) {
      // never settled: not acknowledged, and no later ack on this channel covers it; the broker
      // requeues it when the channel closes
      inFlight.decrementAndGet();
      return;
    }
    Mono<NotificationAgent.Outcome> work;
    try {
      Notification notification = NotificationAgent.parse(message.getBody());
      work = agent.process(notification);
    } catch (NotificationAgent.Unprocessable e) {
      work = Mono.error(e);
    } catch (RuntimeException e) {
      // a bug, not the input's fault, but every delivery must settle: an unsettled one would hold
      // back the acknowledgements of all those after it on this channel
      work = Mono.error(new NotificationAgent.Unprocessable("unexpected failure: " + e, e));
    }
    // Outcomes arrive on the store's event loop: settling a delivery is a short in-memory step; the
    // blocking client calls (acks, dead letters, requeues) are scheduled on brokerIo.
    work.subscribe(outcome -> {
      processed.increment();
      // what converted is stored; the part that did not is counted and logged, not dead-lettered
      if (outcome.partial()) conversionFailures.record(outcome);
      delivery.acknowledge();
    }, error -> {
      if (isTransient(error)) {
        redelivered.increment();
        Mono.delay(redeliveryDelay, brokerIo).subscribe(t -> delivery.requeue(),
            e -> LOG.debug("Requeue of {} not sent: {}", delivery.tag(), e.toString()));
      } else {
        deadLettered.increment();
        String reason = reason(error);
        brokerIo.schedule(() -> deadLetterThenAcknowledge(message, reason, delivery));
      }
    });
  }

  /**
   * Only the store's own trouble (unreachable, out of resources) and a full pipeline are transient:
   * the same notification can succeed later. Everything else fails again on every delivery (the
   * store refused its values, it can never fit, it cannot be converted, a bug), and requeued it
   * would come back many times a second and hold back the notifications batched with it.
   */
  private static boolean isTransient(Throwable error) {
    return error instanceof StoreException.Unavailable || error instanceof SampleConsumer.Overloaded;
  }

  private static String reason(Throwable error) {
    if (error instanceof NotificationAgent.Unprocessable) return error.getMessage();
    if (error instanceof StoreException.InvalidData) return "refused by the store: " + error.getMessage();
    if (error instanceof SampleConsumer.TooLarge) return "too large: " + error.getMessage();
    // a bug, not the notification's fault: the copy on the dead-letter queue can be replayed once fixed
    LOG.warn("Dead-lettering a notification after an unexpected failure", error);
    return "unexpected failure: " + error;
  }

  /** The pending deliveries of the physical channel this message came on. */
  private Acknowledgements acknowledgements(Channel channel) {
    Channel physical = Acknowledgements.physical(channel);
    Acknowledgements acks = channels.get(physical);
    if (acks != null) return acks;
    // a new channel (first delivery, or a reconnection): forget the closed ones
    channels.keySet().removeIf(c -> !c.isOpen());
    return channels.computeIfAbsent(physical, c -> new Acknowledgements(channel, brokerIo, n -> inFlight.addAndGet(-n)));
  }

  /** Stops processing new deliveries (they stay unacknowledged until the channel closes). */
  public void pause() {
    paused = true;
  }

  /** Processes deliveries again (after {@link #pause()}). */
  public void resume() {
    paused = false;
  }

  /** Notifications taken and not yet settled with the broker. */
  public int inFlight() {
    return inFlight.get();
  }

  /**
   * Waits until every notification taken before {@link #pause()} is settled with the broker, at
   * most {@code timeout}; true when it is. Blocks: call it from a lifecycle (shutdown) thread, never
   * from an event loop.
   */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (inFlight.get() > 0) {
      if (System.nanoTime() - deadline > 0) return false;
      Thread.sleep(10);
    }
    return true;
  }

  /** The copy is on the dead-letter queue before the original is acknowledged; if it cannot be sent, the original goes back. */
  private void deadLetterThenAcknowledge(Message message, String reason, Acknowledgements.Delivery delivery) {
    try {
      deadLetter(message, reason);
    } catch (RuntimeException e) {
      LOG.warn("Could not dead-letter delivery {}, returning it to the broker: {}", delivery.tag(), e.toString());
      delivery.requeue();
      return;
    }
    delivery.acknowledge();
  }

  private void deadLetter(Message message, String reason) {
    MessageProperties in = message.getMessageProperties();
    MessageProperties out = new MessageProperties();
    out.setContentType(in.getContentType());
    out.setHeader(REASON, reason.length() > 1000 ? reason.substring(0, 1000) : reason);
    out.setHeader(ORIGINAL_EXCHANGE, in.getReceivedExchange());
    out.setHeader(ORIGINAL_ROUTING_KEY, in.getReceivedRoutingKey());
    deadLetters.send(topology.deadLetterExchange(), topology.deadLetterRoutingKey(), new Message(message.getBody(), out));
  }
}
