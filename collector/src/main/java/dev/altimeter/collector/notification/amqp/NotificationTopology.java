package dev.altimeter.collector.notification.amqp;

import java.util.ArrayList;
import java.util.List;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.TopicExchange;

/**
 * The exchanges, queues and bindings Ceilometer's notification agent uses, so an OpenStack
 * deployment needs no change: for each control exchange (nova, glance, ...) a topic exchange, and
 * for each topic and priority a shared queue {@code <topic>.<priority>} bound with that routing key.
 * Several collectors consume the same queues as competing consumers. Plus Altimeter's own durable
 * dead-letter exchange and queue.
 *
 * @param durable oslo.messaging's {@code amqp_durable_queues}: must match how the services declared
 *     their exchanges, or the broker refuses the declaration
 */
public record NotificationTopology(List<String> exchanges, List<String> topics, List<String> priorities,
    boolean durable, String deadLetterExchange, String deadLetterQueue) {

  /** Ceilometer's default {@code notification_control_exchanges}. */
  public static final List<String> CEILOMETER_EXCHANGES = List.of("nova", "glance", "neutron", "cinder", "heat",
      "keystone", "trove", "zaqar", "swift", "ceilometer", "magnum", "dns", "ironic", "aodh");
  /** The priorities that produce samples (info, sample) or events (info, error). */
  public static final List<String> PRIORITIES = List.of("info", "sample", "error");

  public static NotificationTopology defaults() {
    return new NotificationTopology(CEILOMETER_EXCHANGES, List.of("notifications"), PRIORITIES, false,
        "altimeter.dead-letter", "altimeter.notifications.dead-letter");
  }

  public NotificationTopology {
    exchanges = List.copyOf(exchanges);
    topics = List.copyOf(topics);
    priorities = List.copyOf(priorities);
  }

  public List<String> queueNames() {
    List<String> names = new ArrayList<>();
    for (String topic : topics) for (String priority : priorities) names.add(topic + "." + priority);
    return names;
  }

  String deadLetterRoutingKey() {
    return "notifications";
  }

  /** Everything to declare on the broker. */
  public List<Declarable> declarables() {
    List<Declarable> all = new ArrayList<>();
    List<Queue> queues = new ArrayList<>();
    for (String name : queueNames()) {
      Queue q = new Queue(name, durable, false, false);
      queues.add(q);
      all.add(q);
    }
    for (String exchangeName : exchanges) {
      TopicExchange exchange = new TopicExchange(exchangeName, durable, false);
      all.add(exchange);
      for (Queue q : queues) {
        Binding b = BindingBuilder.bind(q).to(exchange).with(q.getName());
        all.add(b);
      }
    }
    DirectExchange dlx = new DirectExchange(deadLetterExchange, true, false);
    Queue dlq = new Queue(deadLetterQueue, true, false, false);
    all.add(dlx);
    all.add(dlq);
    all.add(BindingBuilder.bind(dlq).to(dlx).with(deadLetterRoutingKey()));
    return all;
  }
}
