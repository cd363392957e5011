package dev.altimeter.collector.notification;

import dev.altimeter.collector.notification.definition.EventDefinitions;
import dev.altimeter.collector.notification.definition.MeterDefinitions;
import dev.altimeter.storage.Event;
import dev.altimeter.storage.EventConsumer;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.SampleConsumer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
  private final EventConsumer eventSink;

  /**
   * @param eventSink stores events; completes when they are committed ({@code null}: events off)
   */
  public NotificationAgent(MeterDefinitions meters, EventDefinitions events, SampleConsumer samples,
      EventConsumer eventSink) {
    this.meters = meters;
    this.events = eventSink == null ? null : events;
    this.samples = samples;
    this.eventSink = eventSink;
  }

  /**
   * What one notification produced. {@code samplesError} / {@code eventError} say why that part did
   * not convert (null when it did, or made nothing without a fault): as Ceilometer, what converts is
   * stored and the notification acknowledged; the transport counts and logs the failed part.
   */
  public record Outcome(String eventType, int samples, boolean event, String samplesError, String eventError) {
    public boolean partial() {
      return samplesError != null || eventError != null;
    }
  }

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

  /**
   * Converts and stores; the Mono completes once samples and event are committed. Samples and the
   * event convert independently (Ceilometer's sample and event endpoints each get the notification):
   * a part that fails is left out and named in the {@link Outcome}; only a notification that fails
   * and produces nothing at all is {@link Unprocessable}.
   */
  public Mono<Outcome> process(Notification notification) {
    // built once: both kinds of definition evaluate their paths on it
    Map<String, Object> body = notification.body();
    List<Sample> produced = List.of();
    String samplesError = null;
    try {
      produced = meters.toSamples(notification, body);
    } catch (RuntimeException e) {
      samplesError = "cannot convert to samples: " + e.getMessage();
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
    if ((samplesError != null || eventError != null) && produced.isEmpty() && event.isEmpty()) {
      String reason = samplesError == null ? eventError : eventError == null ? samplesError : samplesError + "; " + eventError;
      return Mono.error(new Unprocessable(reason, null));
    }
    Mono<Void> storeSamples = samples.accept(produced);
    Mono<Void> storeEvent = event.map(e -> eventSink.accept(List.of(e))).orElse(Mono.empty());
    Outcome outcome = new Outcome(notification.eventType(), produced.size(), event.isPresent(), samplesError, eventError);
    return Mono.when(storeSamples, storeEvent).thenReturn(outcome);
  }
}
