package dev.altimeter.collector.pipeline.route;

import dev.altimeter.storage.SampleConsumer;
import dev.altimeter.storage.StoreException;
import java.util.List;
import reactor.core.Exceptions;

/**
 * Several sinks failing on one call come back from Reactor as one composite exception, which no
 * caller can classify; callers decide by type (HTTP status, dead letter or requeue). So a composite
 * becomes the one failure that decides: a permanent one first (retrying could never store the call
 * whole), then a transient one.
 */
final class Failures {
  private Failures() {}

  /** The failure a caller should act on: {@code e} itself unless it is a composite. */
  static Throwable decisive(Throwable e) {
    if (!Exceptions.isMultiple(e)) return e;
    List<Throwable> all = Exceptions.unwrapMultiple(e);
    for (Class<?> kind : List.of(StoreException.InvalidData.class, SampleConsumer.TooLarge.class,
        StoreException.Unavailable.class, SampleConsumer.Overloaded.class)) {
      for (Throwable t : all) {
        if (kind.isInstance(t)) return t;
      }
    }
    return all.isEmpty() ? e : all.get(0);
  }
}
