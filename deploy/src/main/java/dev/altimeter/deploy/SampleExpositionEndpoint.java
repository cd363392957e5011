package dev.altimeter.deploy;

import dev.altimeter.collector.pipeline.exposition.SampleExposition;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;

/**
 * {@code /actuator/samples}: the collected samples in Prometheus's text format, next to the
 * service's own metrics at {@code /actuator/prometheus} on the management port. A separate
 * endpoint, not series appended to Micrometer's scrape, so that Ceilometer's meter names (some end
 * in {@code _total}, e.g. {@code hardware.memory.total}) and types are exposed as they are, a
 * problem in one cannot fail the other's scrape, and Prometheus can bound each job on its own
 * ({@code sample_limit}).
 */
@WebEndpoint(id = "samples")
class SampleExpositionEndpoint {
  private final SampleExposition exposition;

  SampleExpositionEndpoint(SampleExposition exposition) {
    this.exposition = exposition;
  }

  @ReadOperation(produces = SampleExposition.CONTENT_TYPE)
  String scrape() {
    return exposition.scrape();
  }
}
