package dev.altimeter.deploy;

import dev.altimeter.collector.pipeline.publish.PublisherContext;
import dev.altimeter.collector.receive.TcpReceiver;
import dev.altimeter.collector.receive.UdpReceiver;
import dev.altimeter.ingest.IngestCounter;
import dev.altimeter.storage.SampleConsumer;
import dev.altimeter.wire.MeterMessageDecoder;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The receivers of samples other nodes publish ({@code altimeter.receiver.*}, all off by default):
 * UDP and TCP (msgpack meter messages, as udp:// and tcp:// publishers send them) on
 * {@code altimeter.receiver.bind-address} (127.0.0.1 by default), and {@code POST /v1/samples}
 * (what http:// publishers send) on the web server. Signatures are checked with
 * {@code altimeter.telemetry-secret}, the publishers' secret. Received samples go to the pipeline
 * ({@link SampleConsumer}) like every other source.
 */
@Configuration(proxyBeanMethods = false)
class ReceiverConfiguration {

  /**
   * A receiver without the telemetry secret stores whatever anyone sends it, under any project: with
   * an API that authenticates its callers ({@code altimeter.api.auth} headers or token), that would
   * be the one door without a lock, so the start-up stops instead.
   */
  @Bean
  MeterMessageDecoder meterMessageDecoder(PublisherContext context, AltimeterProperties properties,
      @Value("${altimeter.api.auth:none}") String auth) {
    AltimeterProperties.Receiver p = properties.getReceiver();
    boolean receiving = p.getHttp().isEnabled() || p.getUdp().getPort() > 0 || p.getTcp().getPort() > 0;
    if (receiving && !context.signer().enabled() && !auth.trim().equalsIgnoreCase("none")) {
      throw new IllegalStateException("altimeter.receiver.* accepts samples from the network, but no"
          + " altimeter.telemetry-secret is set to check their signatures, while altimeter.api.auth=" + auth
          + " authenticates API callers: set altimeter.telemetry-secret (the publishers' secret)");
    }
    return new MeterMessageDecoder(context.signer());
  }

  /**
   * The counters of every ingest door ({@link IngestMetrics}): these receivers' and the API's
   * {@code POST /v2/meters/{name}} (receiver {@code v2}).
   */
  @Bean
  IngestCounter.Receivers ingestCounters(MeterRegistry registry) {
    return new IngestMetrics(registry);
  }

  @Bean
  @ConditionalOnProperty(name = "altimeter.receiver.http.enabled", havingValue = "true")
  RouterFunction<ServerResponse> sampleReceiverRoute(MeterMessageDecoder decoder, SampleConsumer consumer,
      AltimeterProperties properties, IngestCounter.Receivers ingestCounters) {
    return new SampleReceiverRoute(decoder, consumer, properties.getReceiver().getHttp().getMaxBodyBytes(),
        ingestCounters.receiver("http")).route();
  }

  /** Binds the configured UDP/TCP receivers after the pipeline started; unbinds them before it flushes ({@link ServiceLifecycle#RECEIVERS}). */
  @Bean
  ServiceLifecycle.Receivers socketReceivers(MeterMessageDecoder decoder, SampleConsumer consumer,
      AltimeterProperties properties, IngestCounter.Receivers ingestCounters) {
    AltimeterProperties.Receiver p = properties.getReceiver();
    UdpReceiver udp = p.getUdp().getPort() > 0 ? new UdpReceiver(p.getBindAddress(), p.getUdp().getPort(), decoder,
        consumer, p.getUdp().getMaxInFlight(), ingestCounters.receiver("udp")) : null;
    TcpReceiver tcp = p.getTcp().getPort() > 0 ? new TcpReceiver(p.getBindAddress(), p.getTcp().getPort(),
        p.getTcp().getMaxFrameBytes(), decoder, consumer, ingestCounters.receiver("tcp")) : null;
    return new ServiceLifecycle.Receivers(udp, tcp);
  }
}
