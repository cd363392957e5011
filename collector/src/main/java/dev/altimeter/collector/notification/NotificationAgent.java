package dev.altimeter.collector.notification;

import dev.altimeter.collector.notification.definition.EventDefinitions;
import dev.altimeter.collector.notification.definition.MeterDefinitions;
import dev.altimeter.storage.Event;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleConsumer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * Ceilometer's notification agent without the transport: turns one notification into samples (by
 * meters.yaml) and an event (by event_definitions.yaml), hands the samples to the pipeline and the
 * event to the event store, and tells the transport when everything is stored. Thread-safe.
 */
public final class NotificationAgent {
  private final MeterDefinitions meters;
  private final EventDefinitions events;
  private final SampleConsumer samples;
  private final Function<List<Event>, Mono<Void>> eventSink;

  /**
   * @param eventSink stores events; completes when they are committed ({@code null}: events off)
   */
  public NotificationAgent(MeterDefinitions meters, EventDefinitions events, SampleConsumer samples,
      Function<List<Event>, Mono<Void>> eventSink) {
    this.meters = meters;
    this.events = eventSink == null ? null : events;
    this.samples = samples;
    this.eventSink = eventSink;
  }

  /**
   * What one notification produced. {@code eventError} is set when its event could not be built
   * (Ceilometer acknowledges those, {@code ack_on_event_error}); the transport keeps a copy.
   */
  public record Outcome(int samples, boolean event, String eventError) {}

  /**
   * A notification that cannot be converted: the transport dead-letters it. {@link #process} may
   * also fail with what the pipeline and the store report ({@code StoreException.InvalidData} and
   * {@code SampleConsumer.TooLarge}: permanent, dead-lettered too; {@code StoreException.Unavailable}
   * and {@code SampleConsumer.Overloaded}: transient, redelivered), passed on unchanged.
   */
  public static final class Unprocessable extends RuntimeException {
    public Unprocessable(String reason, Throwable cause) {
      super(reason, cause, false, false);
    }
  }

  /** Parses the wire form (oslo envelope or bare message); {@link Unprocessable} when malformed. */
  public static Notification parse(byte[] body) {
    try {
      return Notification.parse(body);
    } catch (MalformedNotificationException e) {
      throw new Unprocessable("malformed notification: " + e.getMessage(), e);
    }
  }

  /** Converts and stores; the Mono completes once samples and event are committed. */
  public Mono<Outcome> process(Notification notification) {
    // built once: both kinds of definition evaluate their paths on it
    Map<String, Object> body = notification.body();
    List<Sample> produced;
    try {
      produced = meters.toSamples(notification, body);
    } catch (RuntimeException e) {
      return Mono.error(new Unprocessable("cannot convert to samples: " + e.getMessage(), e));
    }
    Optional<Event> event = Optional.empty();
    String eventError = null;
    if (events != null) {
      try {
        event = events.toEvent(notification, body);
      } catch (RuntimeException e) {
        eventError = "cannot convert to an event: " + e.getMessage();
      }
    }
    Mono<Void> storeSamples = samples.accept(produced);
    Mono<Void> storeEvent = event.map(e -> eventSink.apply(List.of(e))).orElse(Mono.empty());
    Outcome outcome = new Outcome(produced.size(), event.isPresent(), eventError);
    return Mono.when(storeSamples, storeEvent).thenReturn(outcome);
  }
}
