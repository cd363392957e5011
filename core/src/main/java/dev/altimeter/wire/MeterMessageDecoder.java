package dev.altimeter.wire;

import dev.altimeter.ingest.IngestOutcome;
import dev.altimeter.storage.Sample;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a received dict into a {@link Sample}, verifying its signature first: the one decoder of the
 * UDP, TCP and HTTP ({@code POST /v1/samples}) receivers.
 *
 * <p>Two shapes are understood: the meter message dict of {@code udp://}, {@code tcp://} and
 * {@code notifier://} ({@code counter_name, counter_type, counter_unit, counter_volume, ...,
 * message_id, message_signature}) and {@code sample.as_dict()} of {@code http://} ({@code name,
 * type, unit, volume, ..., id}, plus {@code message_signature} when the publisher signs, see
 * HttpPublisher's {@code sign} option). The signature is Ceilometer's: HMAC-SHA256 over
 * {@code recursive_keypairs} of the dict as received (so every field, including metadata, is
 * covered). With a secret set, a dict without a non-empty {@code message_signature} is
 * {@link IngestOutcome#UNSIGNED} and one whose signature does not match is {@link
 * IngestOutcome#BAD_SIGNATURE}; without a secret every well-formed dict is accepted. The dict itself
 * is read by {@link WireFormat#sample}. Thread-safe.
 */
public final class MeterMessageDecoder {
  private final MessageSigner signer;

  public MeterMessageDecoder(MessageSigner signer) {
    this.signer = Objects.requireNonNull(signer, "signer");
  }

  public boolean signing() {
    return signer.enabled();
  }

  /** A decoded sample, or why there is none ({@code reason} says what is wrong, for error answers and logs). */
  public record Result(Sample sample, IngestOutcome outcome, String reason) {
    static Result ok(Sample s) {
      return new Result(s, IngestOutcome.ACCEPTED, null);
    }

    static Result reject(IngestOutcome o, String reason) {
      return new Result(null, o, reason);
    }

    public boolean ok() {
      return sample != null;
    }
  }

  /** Decodes one msgpack-encoded dict (a datagram, a frame); bytes that are not msgpack are {@link IngestOutcome#INVALID}. Never throws. */
  public Result decodeMsgPack(byte[] data) {
    Object value;
    try {
      value = MsgPack.decode(data);
    } catch (IllegalArgumentException e) {
      return Result.reject(IngestOutcome.INVALID, e.getMessage());
    }
    return decode(value);
  }

  /** Decodes one dict (any other value is {@link IngestOutcome#INVALID}). Never throws. */
  public Result decode(Object value) {
    if (!(value instanceof Map<?, ?> raw)) {
      return Result.reject(IngestOutcome.INVALID, "a sample must be a JSON object / msgpack map");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) raw;
    Object signature = m.get("message_signature");
    if (signer.enabled()) {
      if (!(signature instanceof String s) || s.isEmpty()) {
        return Result.reject(IngestOutcome.UNSIGNED, "message_signature is missing");
      }
      boolean valid;
      try {
        valid = signer.verify(m);
      } catch (RuntimeException e) {
        valid = false;
      }
      if (!valid) return Result.reject(IngestOutcome.BAD_SIGNATURE, "message_signature does not match");
    }
    try {
      return Result.ok(WireFormat.sample(m));
    } catch (IllegalArgumentException | NullPointerException e) {
      return Result.reject(IngestOutcome.INVALID, e.getMessage());
    }
  }
}
