package dev.altimeter.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.altimeter.collector.pipeline.publish.PublisherContext;
import dev.altimeter.wire.MessageSigner;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

/** A receiver that would store anyone's samples does not start beside an API that authenticates. */
class ReceiverConfigurationTest {
  private final ReceiverConfiguration configuration = new ReceiverConfiguration();

  @Test
  void anUnsignedReceiverNeedsAnOpenApi() {
    AltimeterProperties properties = new AltimeterProperties();
    properties.getReceiver().getHttp().setEnabled(true);
    PublisherContext unsigned = new PublisherContext(MessageSigner.disabled(), Schedulers.immediate());
    for (String auth : new String[] {"headers", "token"}) {
      assertThatThrownBy(() -> configuration.meterMessageDecoder(unsigned, properties, auth))
          .hasMessageContaining("altimeter.telemetry-secret").hasMessageContaining("altimeter.api.auth=" + auth);
    }
    assertThat(configuration.meterMessageDecoder(unsigned, properties, "none")).isNotNull();
    PublisherContext signed = new PublisherContext(MessageSigner.of("secret"), Schedulers.immediate());
    assertThat(configuration.meterMessageDecoder(signed, properties, "token")).isNotNull();
    // no receiver on: nothing to refuse
    assertThat(configuration.meterMessageDecoder(unsigned, new AltimeterProperties(), "token")).isNotNull();
  }
}
