package dev.altimeter.storage;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Fresh message ids for samples that have no input to derive one from (HTTP-posted samples).
 *
 * <p>UUID version 7 (RFC 9562): 48 bits of Unix milliseconds then 74 random bits, so ids sort by
 * creation time and are unique without coordination. The random bits come from {@link
 * ThreadLocalRandom}, not {@code SecureRandom}: ids need not be unguessable, and {@code
 * UUID.randomUUID()} reads {@code /dev/urandom}, a blocking call that must not run on an event loop.
 * Thread-safe.
 */
public final class MessageIds {
  private MessageIds() {}

  public static UUID random() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long millis = System.currentTimeMillis();
    long high = (millis << 16) | 0x7000L | (r.nextLong() & 0x0FFFL);
    long low = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low);
  }
}
