package dev.altimeter.collector.notification;

/**
 * A notification that can never be processed: not the oslo wire shape, a required key missing or of
 * the wrong type, or a value a definition cannot convert. The message says why; the consumer
 * dead-letters the message with it instead of retrying.
 */
public final class MalformedNotificationException extends RuntimeException {
  public MalformedNotificationException(String reason) {
    super(reason);
  }

  public MalformedNotificationException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
