package dev.altimeter.management;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import reactor.netty.resources.LoopResources;

/**
 * The management server ({@code management.server.port}: health probes, metrics, the collected
 * samples) kept apart from the API server:
 * <ul>
 *   <li>on an event loop of its own, one thread named {@code altimeter-management-*}, instead of the
 *       loops the API server shares with the HTTP clients. Under an ingest flood every shared loop
 *       thread can be busy reading and decoding request bodies; a probe queued behind them times out
 *       and Kubernetes restarts a pod that is merely busy. Actuator operations themselves run off the
 *       loop (Spring Boot invokes them on the bounded elastic scheduler), so one thread carries the
 *       I/O of probes and scrapes;
 *   <li>serving the actuator only ({@link ActuatorOnly}).
 * </ul>
 *
 * <p>Loaded only into the management child context (listed in {@code
 * META-INF/spring/org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration.imports}),
 * which exists when the management port differs from {@code server.port}. Its package lies outside
 * {@code dev.altimeter.deploy} on purpose: component scanning there would also load it into the
 * application context, and the API server would then run on this one thread.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
class ManagementServer {
  static final String THREAD_PREFIX = "altimeter-management";

  /** Daemon threads: the management server must never be what keeps the JVM alive. */
  @Bean(destroyMethod = "dispose")
  LoopResources managementLoop() {
    return LoopResources.create(THREAD_PREFIX, 1, true);
  }

  /**
   * A factory customizer, not a NettyServerCustomizer bean: the management context's server factory
   * is registered as a plain bean (of the application server factory's class), which takes no
   * NettyServerCustomizer beans; factory customizers of the management context do apply to it.
   */
  @Bean
  WebServerFactoryCustomizer<NettyReactiveWebServerFactory> managementServerOnItsOwnLoop(LoopResources managementLoop) {
    return factory -> factory.addServerCustomizers(server -> server.runOn(managementLoop));
  }

  @Bean
  ActuatorOnly actuatorOnly(ApplicationContext managementContext) {
    return new ActuatorOnly(managementContext);
  }
}
