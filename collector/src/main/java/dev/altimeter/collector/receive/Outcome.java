package dev.altimeter.collector.receive;

import java.util.Locale;

/** What became of one received meter message; the {@code outcome} tag of {@code altimeter.receiver.samples}. */
public enum Outcome {
  /** Verified, decoded and stored by the pipeline. */
  ACCEPTED,
  /** Not a meter message (missing or ill-typed field, not msgpack/JSON, oversized frame). */
  INVALID,
  /** Signing is on and the message carries no (or an empty) {@code message_signature}. */
  UNSIGNED,
  /** Signing is on and {@code message_signature} does not match. */
  BAD_SIGNATURE,
  /** The pipeline was overloaded and the message could not wait (a datagram). */
  DROPPED,
  /** The pipeline failed to store it. */
  FAILED;

  private final String tag = name().toLowerCase(Locale.ROOT);

  public String tag() {
    return tag;
  }
}
