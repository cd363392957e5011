package dev.altimeter.deploy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * One fault check's private exchange and topic on a RabbitMQ: the service's arguments to consume
 * them, a publisher of glance {@code image.upload} notifications (each carries its own resource id
 * and message id, so the store's {@code image.size} samples name exactly the notifications that were
 * committed), and the clean-up of the broker objects.
 */
final class NotificationRun {
  static final JsonMapper JSON = JsonMapper.builder().build();
  static final DateTimeFormatter OSLO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

  final String run;
  final String exchange;
  final String topic;

  /** @param name the check's name, e.g. "shutdown": part of every broker object's name */
  NotificationRun(String name) {
    this.run = name.charAt(0) + Long.toString(System.currentTimeMillis(), 36);
    this.exchange = "altimeter-" + name + "-" + run;
    this.topic = "altimeter-" + name + "-" + run;
  }

  List<String> queues() {
    return List.of(topic + ".info", topic + ".sample", topic + ".error");
  }

  String deadLetterQueue() {
    return topic + ".dead-letter";
  }

  /** The service's arguments: the notification role on this run's exchange and topic. */
  List<String> serviceArguments(String amqp) {
    return List.of("--altimeter.roles=notification",
        "--spring.rabbitmq.addresses=" + amqp,
        "--altimeter.notification.exchanges=" + exchange,
        "--altimeter.notification.topics=" + topic,
        "--altimeter.notification.dead-letter-exchange=" + exchange + ".dlx",
        "--altimeter.notification.dead-letter-queue=" + deadLetterQueue());
  }

  /**
   * Publishes batches of 50 every 20 ms (about 2500 a second), each batch confirmed before it counts
   * in {@code published}, until {@code publishing} turns false or {@code limit} are published.
   * Start it once the service is ready: the service declares the exchange and binds the queues.
   */
  void publish(Connection connection, Set<String> published, AtomicBoolean publishing, long limit,
      AtomicReference<Throwable> failure) {
    try (Channel channel = connection.createChannel()) {
      channel.confirmSelect();
      AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().contentType("application/json").build();
      long n = 0;
      while (publishing.get() && n < limit) {
        List<String> batch = new ArrayList<>();
        for (int i = 0; i < 50 && n < limit; i++) {
          String resource = run + "-" + n++;
          channel.basicPublish(exchange, topic + ".info", props, notification(resource));
          batch.add(resource);
        }
        channel.waitForConfirmsOrDie(30_000);
        published.addAll(batch);
        Thread.sleep(20);
      }
    } catch (Exception e) {
      failure.set(e);
    }
  }

  /** A glance image.upload (one image.size sample), its image id being the resource id. */
  static byte[] notification(String resource) throws IOException {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("id", resource);
    payload.put("name", "image " + resource);
    payload.put("owner", "fault-check");
    payload.put("size", 19);
    payload.put("status", "saving");
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("event_type", "image.upload");
    inner.put("message_id", UUID.randomUUID().toString());
    inner.put("payload", payload);
    inner.put("priority", "info");
    inner.put("publisher_id", "images.example.com");
    inner.put("timestamp", OSLO_TIME.format(LocalDateTime.now(ZoneOffset.UTC)));
    return JSON.writeValueAsBytes(Map.of("oslo.version", "2.0", "oslo.message", JSON.writeValueAsString(inner)));
  }

  static String resourceOf(byte[] body) throws IOException {
    Map<?, ?> outer = JSON.readValue(body, Map.class);
    Map<?, ?> inner = JSON.readValue((String) outer.get("oslo.message"), Map.class);
    return (String) ((Map<?, ?>) inner.get("payload")).get("id");
  }

  /** Deletes this run's queues and exchanges; reports and swallows failures (it runs in finally). */
  void cleanUp(ConnectionFactory rabbit) {
    try (Connection c = rabbit.newConnection(); Channel channel = c.createChannel()) {
      for (String q : queues()) channel.queueDelete(q);
      channel.queueDelete(deadLetterQueue());
      channel.exchangeDelete(exchange);
      channel.exchangeDelete(exchange + ".dlx");
    } catch (Exception e) {
      System.err.println(run + ": clean-up of broker objects failed: " + e);
    }
  }
}
