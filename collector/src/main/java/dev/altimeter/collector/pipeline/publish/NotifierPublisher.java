package dev.altimeter.collector.pipeline.publish;

import dev.altimeter.storage.Event;
import dev.altimeter.storage.MessageIds;
import dev.altimeter.storage.Sample;
import dev.altimeter.wire.MessageSigner;
import dev.altimeter.wire.WireFormat;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.util.retry.Retry;

/**
 * {@code notifier://[user:pass@host:port/vhost]?topic=&policy=default|queue|drop&max_queue_length=1024&
 * max_retry=100&per_meter_topic=0|1}: Ceilometer's {@code SampleNotifierPublisher} /
 * {@code EventNotifierPublisher} (oslo.messaging notifier, driver {@code messagingv2}).
 *
 * <p>Each batch becomes one oslo 2.0 notification of priority {@code SAMPLE}:
 * {@code {"oslo.version": "2.0", "oslo.message": "<inner JSON string>"}} with the inner message
 * {@code message_id, publisher_id = telemetry.publisher.<host>, event_type, priority = SAMPLE,
 * payload, timestamp, _unique_id}. The payload is the list of meter messages of the batch (each
 * signed, see {@link WireFormat#meterMessage}) or of serialized, signed events. As in Ceilometer,
 * {@code event_type} is the configured topic name ({@code metering} for samples, {@code event} for
 * events; with {@code per_meter_topic=1} an extra notification per meter name with
 * {@code event_type = metering.<name>}), while the URL's {@code topic} options (several allowed)
 * choose the routing keys {@code <topic>.sample} on the control exchange ({@code ceilometer} by
 * default). Like an oslo sender, the publisher declares the exchange and a queue named after each
 * routing key, bound with it, so notifications are retained before a consumer exists.
 *
 * <p>Policies on a broker failure: {@code default} retries (with backoff, at most
 * {@code max_retry} times) and then fails the batch, holding its sink meanwhile (back-pressure);
 * {@code drop} discards the batch (counted in {@code altimeter.publisher.notifier.dropped});
 * {@code queue} keeps failed batches in a local queue bounded to {@code max_queue_length} batches
 * (oldest dropped first, counted), retried in order before the next batch. An unknown policy is
 * {@code default}, as in Ceilometer.
 *
 * <p>The AMQP client blocks, so every send runs on the bounded scheduler of the
 * {@link PublisherContext}, never on the caller's thread. The sink calls one batch at a time; the
 * local queue is also touched by {@link #flush}, hence its lock (held only on that scheduler).
 */
public final class NotifierPublisher implements Publisher {
  private static final Logger LOG = LoggerFactory.getLogger(NotifierPublisher.class);
  /** {@code [publisher_notifier] metering_topic} and {@code event_topic}. */
  static final String METERING_TOPIC = "metering";
  static final String EVENT_TOPIC = "event";
  private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

  enum Policy { DEFAULT, QUEUE, DROP }

  /** One notification to send: its event type and payload, to each routing key. */
  private record Batch(String eventType, Object payload, int items, List<String> routing) {}

  private final String redacted;
  private final ConnectionFactory connections;
  private final boolean ownsConnections;
  private final RabbitTemplate template;
  private final RabbitAdmin admin;
  private final String exchange;
  private final boolean durable;
  private final List<String> topics;
  private final boolean explicitTopic;
  private final Policy policy;
  private final int maxQueueLength;
  private final int maxRetry;
  private final boolean perMeterTopic;
  private final String publisherId;
  private final MessageSigner signer;
  private final Scheduler blocking;
  private final Clock clock;
  private final Deque<Batch> queue = new ArrayDeque<>(); // guarded by this; policy queue only
  private volatile int queued; // queue.size() for the gauge, read without the lock (scrapes run on event loops)
  private final Set<String> declared = new HashSet<>(); // guarded by this
  private final Counter dropped;
  private final Duration firstBackoff;

  /** Broker-wide settings of the notifier publishers, from the service configuration. */
  public record Settings(String controlExchange, boolean durable, String host, Duration firstBackoff) {
    public Settings {
      Objects.requireNonNull(controlExchange, "controlExchange");
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(firstBackoff, "firstBackoff");
    }

    /** Ceilometer's {@code control_exchange = ceilometer}, non-durable (oslo's default), 1 s first backoff. */
    public static Settings defaults(String host) {
      return new Settings("ceilometer", false, host, Duration.ofSeconds(1));
    }
  }

  /**
   * The factory of {@code notifier://}. {@code broker} supplies the service's connection factory
   * (read when a publisher is created, so a missing broker fails at that point with a clear
   * message); a URL with a host gets a connection of its own.
   */
  public static PublisherFactory factory(Supplier<ConnectionFactory> broker, Settings settings,
      MeterRegistry registry) {
    Objects.requireNonNull(broker, "broker");
    return (url, context) -> new NotifierPublisher(url, broker, settings, context, registry, Clock.systemUTC());
  }

  NotifierPublisher(PublisherUrl url, Supplier<ConnectionFactory> broker, Settings settings, PublisherContext context,
      MeterRegistry registry, Clock clock) {
    this.redacted = url.redacted();
    String policyName = url.option("policy", "default").toLowerCase(Locale.ROOT);
    Policy p;
    try {
      p = Policy.valueOf(policyName.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      LOG.warn("{}: publishing policy is unknown ({}), force to default", redacted, policyName);
      p = Policy.DEFAULT;
    }
    this.policy = p;
    this.maxQueueLength = url.intOption("max_queue_length", 1024);
    if (maxQueueLength < 1) throw new IllegalArgumentException("option 'max_queue_length' must be > 0 (" + redacted + ")");
    this.maxRetry = url.intOption("max_retry", 100);
    if (maxRetry < 0) throw new IllegalArgumentException("option 'max_retry' must be >= 0 (" + redacted + ")");
    this.perMeterTopic = url.boolOption("per_meter_topic", false);
    List<String> t = url.query().get("topic");
    this.explicitTopic = t != null && !t.isEmpty();
    this.topics = explicitTopic ? List.copyOf(t) : List.of();
    this.exchange = settings.controlExchange();
    this.durable = settings.durable();
    this.firstBackoff = settings.firstBackoff();
    this.publisherId = "telemetry.publisher." + settings.host();
    this.signer = context.signer();
    this.blocking = context.blocking();
    this.clock = clock;
    if (url.host() != null) {
      CachingConnectionFactory own = new CachingConnectionFactory(url.host(), url.port() > 0 ? url.port() : 5672);
      if (url.userInfo() != null) {
        int colon = url.userInfo().indexOf(':');
        own.setUsername(colon >= 0 ? url.userInfo().substring(0, colon) : url.userInfo());
        if (colon >= 0) own.setPassword(url.userInfo().substring(colon + 1));
      }
      if (url.path().length() > 1) own.setVirtualHost(url.path().substring(1));
      this.connections = own;
      this.ownsConnections = true;
    } else {
      ConnectionFactory shared = broker.get();
      if (shared == null) {
        throw new IllegalArgumentException("publisher " + redacted + ": no AMQP broker is configured (set spring.rabbitmq.*"
            + " or give the broker in the URL, notifier://user:pass@host:port)");
      }
      this.connections = shared;
      this.ownsConnections = false;
    }
    this.template = new RabbitTemplate(connections);
    this.admin = new RabbitAdmin(connections);
    this.dropped = Counter.builder("altimeter.publisher.notifier.dropped")
        .description("Items a notifier publisher discarded (policy drop, or its local queue full)")
        .tag("publisher", redacted).register(registry);
    Gauge.builder("altimeter.publisher.notifier.queued", this, n -> n.queued)
        .description("Batches waiting in a notifier publisher's local queue (policy queue)")
        .tag("publisher", redacted).register(registry);
  }

  @Override
  public Mono<Void> publishSamples(List<Sample> samples) {
    return Mono.defer(() -> {
      if (samples.isEmpty()) return Mono.empty();
      List<Map<String, Object>> meters = new ArrayList<>(samples.size());
      for (Sample s : samples) meters.add(WireFormat.meterMessage(s, signer));
      List<String> routing = routingKeys(METERING_TOPIC);
      List<Batch> batches = new ArrayList<>(2);
      batches.add(new Batch(METERING_TOPIC, meters, meters.size(), routing));
      if (perMeterTopic) {
        // Ceilometer: groupby over the meters sorted by counter_name, one notification per name
        Map<String, List<Map<String, Object>>> byName = new TreeMap<>();
        for (Map<String, Object> m : meters) byName.computeIfAbsent((String) m.get("counter_name"), k -> new ArrayList<>()).add(m);
        byName.forEach((name, list) -> batches.add(new Batch(METERING_TOPIC + "." + name, list, list.size(), routing)));
      }
      return deliver(batches);
    });
  }

  @Override
  public Mono<Void> publishEvents(List<Event> events) {
    return Mono.defer(() -> {
      if (events.isEmpty()) return Mono.empty();
      List<Map<String, Object>> payload = new ArrayList<>(events.size());
      for (Event e : events) {
        Map<String, Object> m = WireFormat.eventDict(e);
        m.put("message_signature", signer.sign(m));
        payload.add(m);
      }
      return deliver(List.of(new Batch(EVENT_TOPIC, payload, payload.size(), routingKeys(EVENT_TOPIC))));
    });
  }

  private Mono<Void> deliver(List<Batch> batches) {
    if (policy == Policy.DEFAULT) {
      Retry retry = Retry.backoff(maxRetry, firstBackoff).maxBackoff(Duration.ofSeconds(30))
          .filter(e -> e instanceof AmqpException)
          .doBeforeRetry(s -> LOG.warn("{}: broker failure, retry {} of {}: {}", redacted, s.totalRetries() + 1,
              maxRetry, s.failure().toString()));
      return Flux.fromIterable(batches)
          .concatMap(b -> Mono.fromRunnable(() -> send(b)).subscribeOn(blocking).retryWhen(retry))
          .onErrorMap(Exceptions::isRetryExhausted, Throwable::getCause)
          .then();
    }
    return Mono.<Void>fromRunnable(() -> deliverOnce(batches)).subscribeOn(blocking);
  }

  private List<String> routingKeys(String defaultTopic) {
    List<String> keys = new ArrayList<>();
    for (String topic : explicitTopic ? topics : List.of(defaultTopic)) keys.add(topic + ".sample");
    return keys;
  }

  /** Policies queue and drop: one attempt per batch (oslo's {@code retry=1}); runs on the blocking scheduler. */
  private void deliverOnce(List<Batch> fresh) {
    synchronized (this) {
      try {
        attempt(fresh);
      } finally {
        queued = queue.size();
      }
    }
  }

  private void attempt(List<Batch> fresh) {
    {
      Deque<Batch> work = policy == Policy.QUEUE ? queue : new ArrayDeque<>();
      work.addAll(fresh);
      while (!work.isEmpty()) {
        try {
          send(work.peekFirst());
          work.pollFirst();
        } catch (AmqpException e) {
          int items = work.stream().mapToInt(Batch::items).sum();
          if (policy == Policy.DROP) {
            LOG.warn("{}: failed to publish {} datapoints, dropping them: {}", redacted, items, e.toString());
            dropped.increment(items);
            work.clear();
          } else {
            LOG.warn("{}: failed to publish {} datapoints, queue them: {}", redacted, items, e.toString());
            int over = work.size() - maxQueueLength;
            if (over > 0) {
              int lost = 0;
              for (int i = 0; i < over; i++) lost += work.pollFirst().items();
              dropped.increment(lost);
              LOG.warn("{}: max local queue length exceeded, dropping {} oldest batches ({} datapoints)", redacted,
                  over, lost);
            }
          }
          return;
        }
      }
    }
  }

  /** Sends one notification to every routing key; blocking. */
  private void send(Batch b) {
    Message message = message(b);
    try {
      for (String key : b.routing()) {
        declare(key);
        template.send(exchange, key, message);
      }
    } catch (AmqpException e) {
      // the broker may have restarted without our (non-durable) queues: declare them again next time
      synchronized (declared) {
        declared.clear();
      }
      throw e;
    }
  }

  private void declare(String routingKey) {
    synchronized (declared) {
      if (declared.contains(routingKey)) return;
      TopicExchange x = new TopicExchange(exchange, durable, false);
      Queue q = new Queue(routingKey, durable, false, false);
      admin.declareExchange(x);
      admin.declareQueue(q);
      admin.declareBinding(BindingBuilder.bind(q).to(x).with(routingKey));
      declared.add(routingKey);
    }
  }

  /** The oslo 2.0 envelope of a {@code SAMPLE} notification (oslo's {@code Notifier.sample({}, ...)}). */
  Message message(Batch b) {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("message_id", MessageIds.random().toString());
    inner.put("publisher_id", publisherId);
    inner.put("event_type", b.eventType());
    inner.put("priority", "SAMPLE");
    inner.put("payload", b.payload());
    inner.put("timestamp", osloTimestamp(LocalDateTime.now(clock.withZone(ZoneOffset.UTC))));
    inner.put("_unique_id", MessageIds.random().toString().replace("-", ""));
    Map<String, Object> envelope = new LinkedHashMap<>();
    envelope.put("oslo.version", "2.0");
    envelope.put("oslo.message", Json.string(inner));
    MessageProperties props = new MessageProperties();
    props.setContentType(MessageProperties.CONTENT_TYPE_JSON);
    props.setContentEncoding(StandardCharsets.UTF_8.name());
    props.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
    return new Message(Json.bytes(envelope), props);
  }

  /** Python's {@code str(datetime.utcnow())}: microseconds only when non-zero. */
  static String osloTimestamp(LocalDateTime t) {
    int micros = t.getNano() / 1000;
    String base = SECONDS.format(t);
    return micros == 0 ? base : base + String.format(Locale.ROOT, ".%06d", micros);
  }

  /** Policy queue: tries to send what the local queue holds. */
  @Override
  public Mono<Void> flush() {
    if (policy != Policy.QUEUE) return Mono.empty();
    return Mono.<Void>fromRunnable(() -> deliverOnce(List.of())).subscribeOn(blocking);
  }

  @Override
  public void close() {
    if (ownsConnections && connections instanceof CachingConnectionFactory c) c.destroy();
  }

  private static final class Exceptions {
    static boolean isRetryExhausted(Throwable t) {
      return reactor.core.Exceptions.isRetryExhausted(t) && t.getCause() != null;
    }
  }
}
