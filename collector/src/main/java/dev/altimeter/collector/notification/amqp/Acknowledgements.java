package dev.altimeter.collector.notification.amqp;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.ChannelProxy;
import reactor.core.scheduler.Scheduler;

/**
 * The deliveries of one consumer channel that are not yet acknowledged, in delivery order.
 * Acknowledges them with one {@code basic.ack(tag, multiple=true)} for the longest settled run at
 * the head, instead of one ack per message: batches commit out of order, and one ack frame per
 * notification costs the broker and the client a socket write each. An acknowledgement never covers
 * a delivery that is still being stored or that waits to be returned to the broker.
 *
 * <p>Acks are written from the bounded {@code brokerIo} scheduler (the client's socket writes
 * block), at most one flush queued at a time, so the deliveries settled meanwhile share it.
 * Thread-safe.
 */
final class Acknowledgements {
  private static final Logger LOG = LoggerFactory.getLogger(Acknowledgements.class);

  /**
   * One delivery; settled once, when it may be acknowledged or was requeued (later calls do
   * nothing: the broker closes a channel that acks or nacks an unknown tag).
   */
  final class Delivery {
    private final long tag;
    private boolean settled;
    private boolean requeued;
    private boolean ack;

    private Delivery(long tag) {
      this.tag = tag;
    }

    /** It is stored (or dead-lettered): acknowledge it with the next flush. */
    void acknowledge() {
      settle(this, true);
    }

    long tag() {
      return tag;
    }

    /**
     * Returns it to the broker now ({@code basic.nack} with requeue; a blocking call, on brokerIo);
     * the next flush skips it. Until then no multiple ack may cover it.
     */
    void requeue() {
      synchronized (Acknowledgements.this) {
        // settled once: a second nack (or an ack after it) of the tag would close the channel
        if (settled || requeued) return;
        requeued = true;
      }
      if (current()) {
        try {
          channel.basicNack(tag, false, true);
        } catch (IOException | RuntimeException e) {
          LOG.debug("Could not requeue delivery {}: {}", tag, e.toString());
        }
      } // else the channel closed: the broker redelivers it anyway
      settle(this, false);
    }
  }

  private final Channel channel;
  /** The physical channel the tags belong to: a proxy may reconnect to another one, where they mean nothing. */
  private final Channel target;
  private final Scheduler brokerIo;
  private final IntConsumer released;
  private final ArrayDeque<Delivery> unsettled = new ArrayDeque<>();
  /** Taken by flushes only (on brokerIo): acks leave in the order they were computed, and the store's
   * event loops, which settle deliveries under {@code this}, never wait for a socket write. */
  private final Object sending = new Object();
  private boolean flushQueued;

  /**
   * @param released told how many deliveries a flush settled with the broker (acknowledged, or
   *     requeued before), once it has sent the ack
   */
  Acknowledgements(Channel channel, Scheduler brokerIo, IntConsumer released) {
    this.channel = channel;
    this.target = physical(channel);
    this.brokerIo = brokerIo;
    this.released = released;
  }

  static Channel physical(Channel channel) {
    return channel instanceof ChannelProxy proxy ? proxy.getTargetChannel() : channel;
  }

  /** Whether these tags still belong to the channel the proxy now writes to. */
  boolean current() {
    return physical(channel) == target && target.isOpen();
  }

  /** Registers a delivery; called in delivery order (the channel's consumer thread). */
  synchronized Delivery received(long tag) {
    Delivery d = new Delivery(tag);
    unsettled.addLast(d);
    return d;
  }

  private void settle(Delivery d, boolean ack) {
    synchronized (this) {
      if (d.settled || (ack && d.requeued)) return; // idempotent: a delivery is acknowledged or requeued once
      d.settled = true;
      d.ack = ack;
      if (flushQueued || unsettled.peekFirst() != d) return; // the head decides; a queued flush sees this one
      flushQueued = true;
    }
    brokerIo.schedule(this::flush);
  }

  /**
   * Acknowledges the settled run at the head with one multiple ack. A delivery that is never settled
   * (left to the broker while the listener is paused) stops every later ack on this channel: the
   * broker takes them all back when it closes.
   */
  private void flush() {
    synchronized (sending) {
      long last = -1;
      int popped = 0;
      synchronized (this) {
        flushQueued = false;
        while (!unsettled.isEmpty() && unsettled.peekFirst().settled) {
          Delivery d = unsettled.pollFirst();
          popped++;
          if (d.ack) last = d.tag;
        }
      }
      try {
        if (last < 0) return;
        if (!current()) {
          // the channel closed: the broker redelivers what was not acknowledged, and message_id deduplicates it
          LOG.debug("Channel closed before delivery {} and those before it were acknowledged", last);
          return;
        }
        channel.basicAck(last, true);
      } catch (IOException | RuntimeException e) {
        LOG.debug("Could not acknowledge deliveries up to {}: {}", last, e.toString());
      } finally {
        if (popped > 0) released.accept(popped);
      }
    }
  }

  /** Deliveries not yet acknowledged or requeued (for tests). */
  synchronized int pending() {
    return unsettled.size();
  }
}
