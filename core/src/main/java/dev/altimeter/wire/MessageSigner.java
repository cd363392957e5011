package dev.altimeter.wire;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Ceilometer's message signature ({@code publisher/utils.py}): HMAC-SHA256 keyed with the telemetry
 * secret over {@code recursive_keypairs(message)}: keys sorted, nested dicts flattened as
 * {@code parent:child}, feeding {@code str(name)} then {@code str(value)} (Python's {@code str}, see
 * {@link PythonText}) of each pair as UTF-8, skipping {@code message_signature}; lowercase hex digest.
 * An empty or absent secret signs as {@code ""} and verifies everything, as in Ceilometer.
 *
 * <p>Immutable and thread-safe (a {@link Mac} is created per call).
 */
public final class MessageSigner {
  private static final MessageSigner DISABLED = new MessageSigner(null);
  private final byte[] secret;

  private MessageSigner(byte[] secret) {
    this.secret = secret;
  }

  /** A signer for {@code secret}; null or empty disables signing. */
  public static MessageSigner of(String secret) {
    if (secret == null || secret.isEmpty()) return DISABLED;
    return new MessageSigner(secret.getBytes(StandardCharsets.UTF_8));
  }

  public static MessageSigner disabled() {
    return DISABLED;
  }

  public boolean enabled() {
    return secret != null;
  }

  /** The signature of a meter message dict (its {@code message_signature} ignored). */
  public String sign(Map<String, ?> message) {
    if (secret == null) return "";
    Mac mac;
    try {
      mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
    for (Map.Entry<String, Object> pair : recursiveKeypairs(message, ":")) {
      if (pair.getKey().equals("message_signature")) continue;
      mac.update(pair.getKey().getBytes(StandardCharsets.UTF_8));
      mac.update(PythonText.str(pair.getValue()).getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(mac.doFinal());
  }

  /** Whether {@code message_signature} matches (constant-time); always true when signing is disabled. */
  public boolean verify(Map<String, ?> message) {
    if (secret == null) return true;
    Object given = message.get("message_signature");
    if (!(given instanceof String s)) return false;
    return MessageDigest.isEqual(sign(message).getBytes(StandardCharsets.US_ASCII), s.getBytes(StandardCharsets.UTF_8));
  }

  /** Ceilometer's {@code utils.recursive_keypairs}, in its order (values may be null). */
  static List<Map.Entry<String, Object>> recursiveKeypairs(Map<String, ?> d, String separator) {
    List<Map.Entry<String, Object>> out = new ArrayList<>();
    for (Map.Entry<String, ?> e : new TreeMap<>(d).entrySet()) {
      Object value = e.getValue();
      if (value instanceof Map<?, ?> m) {
        @SuppressWarnings("unchecked")
        Map<String, ?> nested = (Map<String, ?>) m;
        for (Map.Entry<String, Object> sub : recursiveKeypairs(nested, separator)) {
          out.add(new AbstractMap.SimpleImmutableEntry<>(e.getKey() + separator + sub.getKey(), sub.getValue()));
        }
      } else {
        out.add(new AbstractMap.SimpleImmutableEntry<>(e.getKey(), value));
      }
    }
    return out;
  }
}
