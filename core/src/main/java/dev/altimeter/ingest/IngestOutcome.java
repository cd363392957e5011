package dev.altimeter.ingest;

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
  /** Not a valid sample (missing or ill-typed field, not msgpack/JSON, oversized frame, refused by the API's rules). */
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

  /** The metric tag value: the name in lower case. */
  public String tag() {
    return tag;
  }
}
