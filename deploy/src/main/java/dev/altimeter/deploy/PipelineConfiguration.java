package dev.altimeter.deploy;

import dev.altimeter.collector.pipeline.BatchWriter;
import dev.altimeter.collector.pipeline.StorePublisher;
import dev.altimeter.storage.SampleStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The pipeline entry point every source feeds (the {@link dev.altimeter.storage.SampleConsumer}
 * bean). For now it publishes straight to the store ({@code database://}); pipeline.yaml routing
 * comes with the pipeline issue.
 */
@Configuration(proxyBeanMethods = false)
class PipelineConfiguration {

  @Bean
  StorePublisher storePublisher(SampleStore store, AltimeterProperties properties, MeterRegistry registry) {
    AltimeterProperties.Store p = properties.getStore();
    return new StorePublisher(store, new BatchWriter.Options(p.getQueueCapacity(), p.getBatchSize(),
        p.getBatchDelay(), p.getWriters()), registry);
  }

  /** Starts the publisher with the context; on shutdown stops intake and drains it before the store closes. */
  @Bean
  SmartLifecycle storePublisherLifecycle(StorePublisher publisher) {
    return new SmartLifecycle() {
      private volatile boolean running;

      @Override
      public void start() {
        publisher.start();
        running = true;
      }

      @Override
      public void stop() {
        publisher.drain().block(Duration.ofSeconds(30));
        running = false;
      }

      @Override
      public boolean isRunning() {
        return running;
      }

      @Override
      public int getPhase() {
        // stops after the web server (which stops at SmartLifecycle.DEFAULT_PHASE - 1024)
        return SmartLifecycle.DEFAULT_PHASE - 2048;
      }
    };
  }
}
