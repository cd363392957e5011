package dev.altimeter.collector.notification.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

/**
 * Multiple acks must never cover a delivery that is not stored yet or that waits to go back to the
 * broker: settled out of order, deliveries are acknowledged once the run before them is settled.
 */
class AcknowledgementsTest {
  private final List<String> sent = new ArrayList<>();
  private int released;
  private final AtomicBoolean open = new AtomicBoolean(true);
  private final Channel channel = (Channel) Proxy.newProxyInstance(getClass().getClassLoader(),
      new Class<?>[] {Channel.class}, (proxy, method, args) -> switch (method.getName()) {
        case "basicAck" -> record("ack " + args[0] + (((Boolean) args[1]) ? " multiple" : ""));
        case "basicNack" -> record("nack " + args[0] + (((Boolean) args[2]) ? " requeue" : ""));
        case "isOpen" -> open.get();
        case "hashCode" -> System.identityHashCode(proxy);
        case "equals" -> proxy == args[0];
        case "toString" -> "channel";
        default -> throw new UnsupportedOperationException(method.getName());
      });
  // flushes run at once, so what was sent is known when settle returns
  private final Acknowledgements acks = new Acknowledgements(channel, Schedulers.immediate(), n -> released += n);

  private Object record(String call) {
    sent.add(call);
    return null;
  }

  @Test
  void acknowledgesTheSettledRunAtTheHeadWithOneMultipleAck() {
    List<Acknowledgements.Delivery> d = receive(5);
    d.get(1).acknowledge();
    d.get(2).acknowledge();
    assertThat(sent).isEmpty(); // delivery 1 is still being stored
    d.get(0).acknowledge();
    assertThat(sent).containsExactly("ack 3 multiple");
    d.get(4).acknowledge();
    assertThat(sent).containsExactly("ack 3 multiple");
    d.get(3).acknowledge();
    assertThat(sent).containsExactly("ack 3 multiple", "ack 5 multiple");
    assertThat(acks.pending()).isZero();
    assertThat(released).isEqualTo(5);
  }

  @Test
  void aRequeuedDeliveryIsNackedAloneAndNeverCoveredByAnAckBeforeThat() {
    List<Acknowledgements.Delivery> d = receive(4);
    d.get(0).acknowledge();
    assertThat(sent).containsExactly("ack 1 multiple");
    d.get(2).acknowledge();
    d.get(3).acknowledge();
    assertThat(sent).hasSize(1); // delivery 2 failed and waits for its redelivery delay
    d.get(1).requeue();
    assertThat(sent).containsExactly("ack 1 multiple", "nack 2 requeue", "ack 4 multiple");
  }

  @Test
  void aDeliveryIsSettledOnceWhateverIsCalledAfter() {
    List<Acknowledgements.Delivery> d = receive(2);
    d.get(0).requeue();
    d.get(0).requeue();
    d.get(0).acknowledge();
    d.get(1).acknowledge();
    d.get(1).acknowledge();
    d.get(1).requeue();
    // the broker closes a channel that nacks or acks a tag twice
    assertThat(sent).containsExactly("nack 1 requeue", "ack 2 multiple");
    assertThat(acks.pending()).isZero();
  }

  @Test
  void aRunOfRequeuedDeliveriesSendsNoAck() {
    List<Acknowledgements.Delivery> d = receive(2);
    d.get(0).requeue();
    d.get(1).requeue();
    assertThat(sent).containsExactly("nack 1 requeue", "nack 2 requeue");
    assertThat(acks.pending()).isZero();
  }

  @Test
  void aDeliveryLeftToTheBrokerHoldsBackEveryLaterAck() {
    List<Acknowledgements.Delivery> d = receive(3);
    d.get(0).acknowledge();
    // delivery 2 arrived while paused: never settled, the broker takes it back when the channel closes
    d.get(2).acknowledge();
    assertThat(sent).containsExactly("ack 1 multiple");
    assertThat(released).isEqualTo(1);
  }

  @Test
  void nothingIsSentOnAClosedChannel() {
    List<Acknowledgements.Delivery> d = receive(2);
    open.set(false); // the broker returns both to the queue itself
    d.get(0).acknowledge();
    d.get(1).requeue();
    assertThat(sent).isEmpty();
    assertThat(acks.pending()).isZero();
  }

  private List<Acknowledgements.Delivery> receive(int n) {
    List<Acknowledgements.Delivery> out = new ArrayList<>();
    for (long tag = 1; tag <= n; tag++) out.add(acks.received(tag));
    return out;
  }
}
