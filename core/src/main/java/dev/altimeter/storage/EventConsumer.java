package dev.altimeter.storage;

import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Where events enter storage, as samples enter the pipeline through {@link SampleConsumer}: the
 * notification agent hands each notification's event here. Implementations are thread-safe and never
 * block the caller.
 *
 * <p>The returned Mono is the acknowledgement handle, with {@link SampleConsumer}'s contract: it
 * completes once the events are committed, and fails when they were refused ({@link
 * SampleConsumer.Overloaded}, {@link SampleConsumer.TooLarge}) or could not be stored ({@link
 * StoreException}). A caller that must not lose data acknowledges its input only on completion.
 */
@FunctionalInterface
public interface EventConsumer {

  Mono<Void> accept(List<Event> events);
}
