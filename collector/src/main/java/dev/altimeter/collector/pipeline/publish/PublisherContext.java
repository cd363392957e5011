package dev.altimeter.collector.pipeline.publish;

import dev.altimeter.wire.MessageSigner;
import java.util.Objects;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * What publishers share: the message signer ({@code altimeter.telemetry-secret}) and the bounded
 * scheduler on which blocking I/O (files, datagram and socket writes) runs.
 */
public record PublisherContext(MessageSigner signer, Scheduler blocking) {
  public PublisherContext {
    Objects.requireNonNull(signer, "signer");
    Objects.requireNonNull(blocking, "blocking");
  }

  /** No signing, Reactor's bounded elastic scheduler. */
  public static PublisherContext defaults() {
    return new PublisherContext(MessageSigner.disabled(), Schedulers.boundedElastic());
  }
}
