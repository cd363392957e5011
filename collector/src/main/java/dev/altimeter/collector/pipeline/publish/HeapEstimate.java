package dev.altimeter.collector.pipeline.publish;

import dev.altimeter.storage.Event;
import dev.altimeter.storage.Sample;
import dev.altimeter.storage.Trait;
import java.util.Collection;
import java.util.Map;

/**
 * Rough heap bytes an item holds while it waits in a {@link BatchWriter}: what bounds the writer's
 * queue in bytes, since a queue of N samples of arbitrary metadata is unbounded memory.
 *
 * <p>An estimate, not an accounting: object headers and references as on a 64-bit JVM with
 * compressed pointers, strings as Latin-1 (one byte a character; a non-Latin-1 string holds twice
 * that), map entries at hash-map cost. It over-counts strings shared between samples (the same meter
 * or unit in every sample of a batch), which errs on the side of a smaller queue. Stateless,
 * thread-safe; cost linear in the metadata's size, no allocation.
 */
final class HeapEstimate {
  /** A Sample record's own fields, its Instant and UUID, and the fixed-size strings' headers. */
  private static final long SAMPLE = 200;
  /** An Event record with its Instant and trait list. */
  private static final long EVENT = 120;
  private static final long STRING = 48;
  private static final long BOXED = 24;
  private static final long MAP = 64;
  private static final long ENTRY = 40;
  private static final long LIST = 40;
  private static final long REFERENCE = 8;

  static long of(Sample s) {
    return SAMPLE + chars(s.meter()) + chars(s.unit()) + chars(s.userId()) + chars(s.projectId())
        + chars(s.resourceId()) + chars(s.source()) + chars(s.messageSignature()) + value(s.resourceMetadata());
  }

  static long of(Event e) {
    long bytes = EVENT + chars(e.messageId()) + chars(e.eventType()) + value(e.raw());
    for (Trait t : e.traits()) bytes += BOXED + STRING + t.name().length() + value(t.value());
    return bytes;
  }

  private static long chars(String s) {
    return s == null ? 0 : STRING + s.length();
  }

  private static long value(Object v) {
    if (v == null) return 0;
    if (v instanceof String s) return STRING + s.length();
    if (v instanceof Map<?, ?> m) {
      long bytes = MAP + m.size() * ENTRY;
      // keys, then values: a sample's metadata map iterates them without wrapping each entry
      for (Object k : m.keySet()) bytes += value(k);
      for (Object x : m.values()) bytes += value(x);
      return bytes;
    }
    if (v instanceof Collection<?> c) {
      long bytes = LIST + c.size() * REFERENCE;
      for (Object o : c) bytes += value(o);
      return bytes;
    }
    return BOXED;
  }

  private HeapEstimate() {}
}
