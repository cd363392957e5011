package dev.altimeter.deploy;

import dev.altimeter.collector.notification.NotificationAgent;
import dev.altimeter.collector.notification.amqp.NotificationListener;
import dev.altimeter.collector.notification.amqp.NotificationTopology;
import dev.altimeter.collector.pipeline.route.RunningPipelines;
import dev.altimeter.storage.Event;
import dev.altimeter.storage.SampleConsumer;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.DirectMessageListenerContainer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The {@code notification} role: consumes OpenStack notifications from the broker of {@code
 * spring.rabbitmq.*} on Ceilometer's queues, turns them into samples and events by meters.yaml and
 * event_definitions.yaml, and feeds the pipelines. Off when no broker is configured. Definition
 * files are loaded and checked at start-up: a bad definition is skipped, logged with file, line and
 * field and shown in health ({@link NotificationDefinitions}), or with {@code
 * altimeter.definitions.strict=true} stops the service.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnRole(AltimeterProperties.Role.NOTIFICATION)
@ConditionalOnExpression("'${spring.rabbitmq.host:}' != '' or '${spring.rabbitmq.addresses:}' != ''")
class NotificationConfiguration {
  private static final Logger LOG = LoggerFactory.getLogger(NotificationConfiguration.class);

  @Bean(destroyMethod = "destroy")
  CachingConnectionFactory notificationConnectionFactory(
      @Value("${spring.rabbitmq.addresses:}") String addresses,
      @Value("${spring.rabbitmq.host:localhost}") String host,
      @Value("${spring.rabbitmq.port:5672}") int port,
      @Value("${spring.rabbitmq.username:guest}") String username,
      @Value("${spring.rabbitmq.password:guest}") String password,
      @Value("${spring.rabbitmq.virtual-host:/}") String virtualHost) {
    CachingConnectionFactory cf = new CachingConnectionFactory();
    cf.setUsername(username);
    cf.setPassword(password);
    cf.setVirtualHost(virtualHost);
    if (addresses.startsWith("amqp://") || addresses.startsWith("amqps://")) {
      cf.setUri(addresses); // one broker URI with its credentials and vhost
    } else if (!addresses.isBlank()) {
      cf.setAddresses(addresses); // host:port,host:port
    } else {
      cf.setHost(host);
      cf.setPort(port);
    }
    cf.setConnectionNameStrategy(f -> "altimeter-notification");
    LOG.info("Notification role: consuming from {}", addresses.isBlank() ? host + ":" + port : addresses);
    return cf;
  }

  @Bean
  NotificationTopology notificationTopology(AltimeterProperties properties) {
    return properties.getNotification().topology();
  }

  /** Declares the exchanges, queues and bindings on every (re)connection. */
  @Bean
  RabbitAdmin notificationAdmin(CachingConnectionFactory notificationConnectionFactory, NotificationTopology topology) {
    RabbitAdmin admin = new RabbitAdmin(notificationConnectionFactory);
    admin.setIgnoreDeclarationExceptions(false);
    admin.setRedeclareManualDeclarations(true);
    return admin;
  }

  @Bean
  Declarables notificationDeclarables(NotificationTopology topology) {
    return new Declarables(topology.declarables());
  }

  /** meters.yaml and event_definitions.yaml; also the health component listing what was skipped. */
  @Bean
  NotificationDefinitions notificationDefinitions(AltimeterProperties properties, MeterRegistry registry,
      @Value("${altimeter.definitions.strict:false}") boolean strict) {
    return NotificationDefinitions.load(properties, strict, registry);
  }

  @Bean
  NotificationAgent notificationAgent(NotificationDefinitions definitions, SampleConsumer pipeline,
      RunningPipelines<Event> events) {
    LOG.info("Notification role: {} meter definitions", definitions.meters().names().size());
    return new NotificationAgent(definitions.meters(), definitions.events(), pipeline, events::accept);
  }

  /** The bounded pool for the AMQP client's blocking writes (acks, dead letters), off the event loops. */
  @Bean(destroyMethod = "dispose")
  Scheduler brokerIoScheduler() {
    return Schedulers.newBoundedElastic(2, 100_000, "altimeter-broker-io");
  }

  @Bean
  NotificationListener notificationListener(CachingConnectionFactory notificationConnectionFactory,
      NotificationTopology topology, NotificationAgent agent, AltimeterProperties properties,
      Scheduler brokerIoScheduler, MeterRegistry registry) {
    return new NotificationListener(agent, new RabbitTemplate(notificationConnectionFactory), topology,
        properties.getNotification().getRedeliveryDelay(), brokerIoScheduler, registry);
  }

  /** Push consumers on the broker connection; acknowledgements are sent when samples are committed. */
  @Bean
  DirectMessageListenerContainer notificationListenerContainer(CachingConnectionFactory notificationConnectionFactory,
      RabbitAdmin notificationAdmin, NotificationTopology topology, NotificationListener notificationListener,
      AltimeterProperties properties) {
    AltimeterProperties.Notification p = properties.getNotification();
    DirectMessageListenerContainer container = new DirectMessageListenerContainer(notificationConnectionFactory);
    // stopped right after notificationDrain, which is stopped first
    container.setPhase(ServiceLifecycle.NOTIFICATION_CONSUMERS);
    container.setAmqpAdmin(notificationAdmin);
    container.setQueueNames(topology.queueNames().toArray(String[]::new));
    container.setAcknowledgeMode(AcknowledgeMode.MANUAL);
    container.setPrefetchCount(p.getPrefetch());
    container.setConsumersPerQueue(p.getConsumersPerQueue());
    container.setMissingQueuesFatal(false);
    container.setMessageListener(notificationListener);
    return container;
  }

  /** Notification intake, stopped first of all ({@link ServiceLifecycle.NotificationDrain}). */
  @Bean
  ServiceLifecycle.NotificationDrain notificationDrain(NotificationListener notificationListener,
      @Value("${spring.lifecycle.timeout-per-shutdown-phase:30s}") Duration timeout) {
    return new ServiceLifecycle.NotificationDrain(notificationListener, timeout);
  }

  /** The notification consumers are up (a broker outage shows here; the container reconnects by itself). */
  @Bean
  HealthIndicator notificationHealthIndicator(DirectMessageListenerContainer notificationListenerContainer) {
    return () -> notificationListenerContainer.isRunning() && notificationListenerContainer.isActive()
        ? Health.up().build() : Health.down().withDetail("consumers", "not running").build();
  }
}
