package dev.altimeter.collector.pipeline.route;

import com.rabbitmq.client.Channel;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleConsumer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareMessageListener;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;
import reactor.util.retry.Retry;

/**
 * A sink with stateful transformers shared by several collectors through the broker.
 *
 * <p>Publish side ({@link #route}): the samples of a batch are split by a hash of their
 * {@code resource_id} into {@code N} partitions and each part is sent, as one persistent message,
 * to the durable queue {@code altimeter.pipeline.<sink>.<n>} (through the default exchange). The
 * returned Mono completes when the broker has the messages (confirmed, when the connection factory
 * has simple publisher confirms), so the input may then be acknowledged.
 *
 * <p>Consume side ({@link #start}): one listener container consumes all {@code N} queues. The
 * queues are declared with RabbitMQ's {@code x-single-active-consumer}, so each is consumed by
 * exactly one collector at a time and a standby takes over when it goes away (its unacknowledged
 * messages are redelivered to the new consumer, in order). A resource therefore always meets the
 * same transformer state, and the first sample of a resource after a failover only seeds the new
 * state, as after a restart. Messages of one partition are fed to the sink strictly in delivery
 * order and acknowledged after the sink's publishers completed; a full sink is retried after a
 * pause rather than requeued, so order holds. In-flight messages per partition are bounded by the
 * prefetch count.
 *
 * <p>The hash is {@code String.hashCode} of the resource id (specified by the JLS, so every collector
 * agrees), mixed, modulo {@code N}. Changing {@code N} moves resources between partitions: their
 * state restarts, as in Ceilometer when its processing queues changed.
 */
final class PartitionedSink {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionedSink.class);
  private static final Duration OVERLOAD_PAUSE = Duration.ofMillis(100);

  private record Delivery(List<Sample> samples, Channel channel, long tag) {}

  private final SinkRuntime sink;
  private final Partitioning partitioning;
  private final List<String> queues;
  private final RabbitTemplate template;
  private final List<Sinks.Many<Delivery>> inputs = new ArrayList<>();
  private final List<Disposable> consumers = new ArrayList<>();
  private final Counter routed;
  private final Counter malformed;
  private DirectMessageListenerContainer container; // start/stop are serialised by the lifecycle

  PartitionedSink(SinkRuntime sink, Partitioning partitioning, MeterRegistry registry) {
    this.sink = sink;
    this.partitioning = partitioning;
    List<String> names = new ArrayList<>();
    for (int i = 0; i < partitioning.partitions(); i++) names.add(queueName(sink.name, i));
    this.queues = List.copyOf(names);
    this.template = new RabbitTemplate(partitioning.connections());
    this.routed = Counter.builder("altimeter.pipeline.partition.routed")
        .description("Samples sent to the partition queues of a stateful sink").tag("sink", sink.name)
        .register(registry);
    this.malformed = Counter.builder("altimeter.pipeline.partition.malformed")
        .description("Partition messages that could not be decoded (acknowledged and dropped)").tag("sink", sink.name)
        .register(registry);
  }

  static String queueName(String sink, int partition) {
    return "altimeter.pipeline." + sink + "." + partition;
  }

  /** The partition of a resource id among {@code n}. */
  static int partition(String resourceId, int n) {
    int h = resourceId.hashCode() * 0x9E3779B9; // spread similar ids (Fibonacci hashing)
    return Math.floorMod(h ^ (h >>> 16), n);
  }

  String name() {
    return sink.name;
  }

  reactor.core.scheduler.Scheduler brokerIo() {
    return partitioning.brokerIo();
  }

  List<String> queues() {
    return queues;
  }

  /** Sends each partition's share of {@code samples} to its queue. Lazy; never blocks the caller. */
  Mono<Void> route(List<Sample> samples) {
    return Mono.defer(() -> {
      if (samples.isEmpty()) return Mono.empty();
      int n = queues.size();
      List<List<Sample>> parts = new ArrayList<>(n);
      for (int i = 0; i < n; i++) parts.add(new ArrayList<>());
      for (Sample s : samples) parts.get(partition(s.resourceId(), n)).add(s);
      return Mono.<Void>fromRunnable(() -> send(parts)).subscribeOn(partitioning.brokerIo())
          .doOnSuccess(v -> routed.increment(samples.size()));
    });
  }

  /** Blocking: runs on the broker scheduler. */
  private void send(List<List<Sample>> parts) {
    boolean confirms = partitioning.connections().isSimplePublisherConfirms();
    template.invoke(ops -> {
      for (int i = 0; i < parts.size(); i++) {
        if (parts.get(i).isEmpty()) continue;
        MessageProperties props = new MessageProperties();
        props.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        props.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        ops.send("", queues.get(i), new Message(PartitionCodec.encode(parts.get(i)), props));
      }
      if (confirms) ops.waitForConfirmsOrDie(partitioning.confirmTimeout().toMillis());
      return null;
    });
  }

  /** Declares the queues (blocking: call at start-up, off any event loop) and starts consuming them. */
  void start() {
    RabbitAdmin admin = new RabbitAdmin(partitioning.connections());
    for (String q : queues) {
      admin.declareQueue(new Queue(q, true, false, false, Map.of("x-single-active-consumer", true)));
    }
    for (int i = 0; i < queues.size(); i++) {
      // one serial lane per partition: bounded by the prefetch (the broker sends no more unacked)
      Sinks.Many<Delivery> lane = Sinks.many().unicast()
          .onBackpressureBuffer(Queues.<Delivery>get(Math.max(2, partitioning.prefetch() * 2)).get());
      inputs.add(lane);
      consumers.add(lane.asFlux().concatMap(this::process).subscribe());
    }
    DirectMessageListenerContainer c = new DirectMessageListenerContainer(partitioning.connections());
    c.setQueueNames(queues.toArray(String[]::new));
    c.setAcknowledgeMode(AcknowledgeMode.MANUAL);
    c.setPrefetchCount(partitioning.prefetch());
    c.setConsumersPerQueue(1);
    c.setMessageListener((ChannelAwareMessageListener) this::onMessage);
    c.afterPropertiesSet();
    c.start();
    container = c;
  }

  private void onMessage(Message message, Channel channel) {
    long tag = message.getMessageProperties().getDeliveryTag();
    int partition = queues.indexOf(message.getMessageProperties().getConsumerQueue());
    List<Sample> samples;
    try {
      samples = PartitionCodec.decode(message.getBody());
    } catch (RuntimeException e) {
      malformed.increment();
      LOG.error("sink '{}': dropping a malformed partition message: {}", sink.name, e.toString());
      partitioning.brokerIo().schedule(() -> ack(channel, tag));
      return;
    }
    if (partition < 0) { // not one of ours: cannot happen, the container consumes only our queues
      LOG.error("sink '{}': delivery from unknown queue {}", sink.name, message.getMessageProperties().getConsumerQueue());
      return;
    }
    // one delivery thread per consumer: emissions into a lane are serial
    Sinks.EmitResult r = inputs.get(partition).tryEmitNext(new Delivery(samples, channel, tag));
    if (r.isFailure()) {
      // cannot happen while prefetch bounds the lane; do not ack, the broker redelivers on recovery
      LOG.error("sink '{}': partition lane refused a delivery ({}); it stays unacknowledged", sink.name, r);
    }
  }

  /**
   * Feeds one delivery to the sink, waiting out a full sink (a refused batch was not transformed, so
   * retrying it is exact), then acknowledges it. A batch whose acknowledging publisher failed is
   * acknowledged all the same (the failure is counted by the sink): running it through the stateful
   * transformers again would derive a zero rate from a repeated sample. A stopped sink leaves the
   * delivery unacknowledged, for the collector that takes the partition over.
   */
  private Mono<Void> process(Delivery d) {
    return Mono.defer(() -> sink.submit(d.samples))
        .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, OVERLOAD_PAUSE)
            .filter(e -> e instanceof SampleConsumer.Overloaded && !sink.isStopped()))
        .then(Mono.just(true))
        .onErrorResume(e -> Mono.just(!sink.isStopped()))
        .flatMap(ack -> ack
            ? Mono.fromRunnable(() -> ack(d.channel, d.tag)).subscribeOn(partitioning.brokerIo()).then()
            : Mono.empty());
  }

  private static void ack(Channel channel, long tag) {
    try {
      channel.basicAck(tag, false);
    } catch (IOException | RuntimeException e) {
      LOG.debug("Could not acknowledge delivery {}: {}", tag, e.toString());
    }
  }

  /**
   * Hands the given partitions to the next collector in the broker's line: cancels this collector's
   * consumers of their queues and subscribes again, behind the others (with single active consumer
   * the next registered consumer becomes active). Blocking; for rebalancing and tests.
   */
  void handOver(List<Integer> partitions) {
    DirectMessageListenerContainer c = container;
    if (c == null) throw new IllegalStateException("sink '" + sink.name + "' is not consuming");
    String[] names = partitions.stream().map(queues::get).toArray(String[]::new);
    c.removeQueueNames(names);
    c.addQueueNames(names);
  }

  /** Stops consuming (blocking, off any event loop); unacknowledged deliveries return to the broker. */
  void stop() {
    DirectMessageListenerContainer c = container;
    container = null;
    if (c != null) {
      c.stop();
      c.destroy();
    }
    consumers.forEach(Disposable::dispose);
    consumers.clear();
    inputs.clear();
  }

}
