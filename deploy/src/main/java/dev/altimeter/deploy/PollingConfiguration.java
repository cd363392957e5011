package dev.altimeter.deploy;

import dev.altimeter.collector.polling.PollingAgent;
import dev.altimeter.collector.polling.PollingConfig;
import dev.altimeter.collector.polling.Pollster;
import dev.altimeter.collector.polling.PollsterFactory;
import dev.altimeter.collector.polling.ResourcePartition;
import dev.altimeter.collector.polling.host.HostPollster;
import dev.altimeter.collector.polling.partition.GroupMembership;
import dev.altimeter.storage.SampleConsumer;
import dev.altimeter.storage.postgres.PostgresMembershipStore;
import dev.altimeter.storage.postgres.PostgresStorage;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code polling} role: Ceilometer's polling agent. Runs the pollsters polling.yaml selects (the
 * host's own meters by default, plus the dynamic and scrape pollsters of {@code
 * altimeter.polling.pollsters-dirs}) and feeds their samples to the pipeline. Files are checked at
 * start-up: a bad one stops the service with file, line and rule.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnRole(AltimeterProperties.Role.POLLING)
class PollingConfiguration {
  private static final Logger LOG = LoggerFactory.getLogger(PollingConfiguration.class);

  @Bean(destroyMethod = "close")
  PollsterFactory pollsterFactory(MeterRegistry registry) {
    return new PollsterFactory(registry);
  }

  /** With partitioning, the members are kept in the store (which then runs: {@link ConditionalOnStore}). */
  @Bean
  ResourcePartition resourcePartition(AltimeterProperties properties, ObjectProvider<PostgresStorage> storage)
      throws Exception {
    AltimeterProperties.Polling p = properties.getPolling();
    if (!p.isPartitioning()) return ResourcePartition.ALL;
    String member = p.getMemberId() != null ? p.getMemberId()
        : InetAddress.getLocalHost().getHostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
    return new GroupMembership(new PostgresMembershipStore(storage.getObject().connectionFactory()), "central", member,
        p.getHeartbeat(), p.getHeartbeat().multipliedBy(2), Clock.systemUTC());
  }

  @Bean(destroyMethod = "close")
  PollingAgent pollingAgent(AltimeterProperties properties, PollsterFactory factory, SampleConsumer pipeline,
      ResourcePartition partition, MeterRegistry registry) {
    AltimeterProperties.Polling p = properties.getPolling();
    PollingConfig config = p.getFile() == null ? PollingConfig.builtIn() : PollingConfig.load(p.getFile());
    List<Pollster> pollsters = new ArrayList<>();
    pollsters.add(factory.host(new HostPollster.Config(null, p.getProcRoot(), p.getSysRoot(), null, p.getHostName())));
    if (!p.getPollstersDirs().isEmpty()) pollsters.addAll(factory.fromDefinitions(p.getPollstersDirs(), Map.of(), true));
    PollingAgent agent = PollingAgent.builder(config, pollsters, pipeline)
        .meterRegistry(registry).batchSize(p.getBatchSize()).jitter(p.getJitter()).partition(partition).build();
    LOG.info("Polling role: {}", agent.plan());
    return agent;
  }

  /** Polls after the pipeline is up and stops polling before it flushes ({@link ServiceLifecycle#POLLING}). */
  @Bean
  ServiceLifecycle.Polling pollingLifecycle(PollingAgent agent, ResourcePartition partition) {
    return new ServiceLifecycle.Polling(agent, partition);
  }
}
