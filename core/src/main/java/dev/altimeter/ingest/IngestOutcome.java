package dev.altimeter.ingest;

import dev.altimeter.storage.SampleConsumer;
import dev.altimeter.storage.StoreException;
import java.util.Locale;

/**
 * What became of one sample a receiver took in; the {@code outcome} tag of {@code
 * altimeter.receiver.samples}. Grouped for alerts: {@link #ACCEPTED} is received and stored; {@link
 * #INVALID}, {@link #UNSIGNED} and {@link #BAD_SIGNATURE} are rejected (the sender's fault, resending
 * the same bytes cannot succeed); {@link #DROPPED} and {@link #FAILED} are lost to this node (busy or
 * failing: a sender that retries may succeed later).
 */
public enum IngestOutcome {
  /** Verified, decoded and stored by the pipeline. */
  ACCEPTED,
  /** Not a valid sample (missing or ill-typed field, not msgpack/JSON, oversized or truncated frame, refused by the API's rules or as data by the store). */
  INVALID,
  /** Signing is on and the message carries no (or an empty) {@code message_signature}. */
  UNSIGNED,
  /** Signing is on and {@code message_signature} does not match. */
  BAD_SIGNATURE,
  /** The pipeline was overloaded or the store unavailable and the sample could not wait (a datagram, a 503). */
  DROPPED,
  /** The pipeline failed to store it. */
  FAILED;

  private final String tag = name().toLowerCase(Locale.ROOT);

  /**
   * What became of samples the pipeline failed with {@code error}: {@link #DROPPED} when it was busy
   * or the store unavailable (a sender that retries may succeed), {@link #INVALID} when it refused the
   * data itself (a value the store cannot hold, more than the queue can ever take: resending cannot
   * succeed), {@link #FAILED} otherwise.
   */
  public static IngestOutcome ofPipelineError(Throwable error) {
    if (error instanceof SampleConsumer.Overloaded || error instanceof StoreException.Unavailable) return DROPPED;
    if (error instanceof StoreException.InvalidData || error instanceof SampleConsumer.TooLarge) return INVALID;
    return FAILED;
  }

  /** The metric tag value: the name in lower case. */
  public String tag() {
    return tag;
  }
}
