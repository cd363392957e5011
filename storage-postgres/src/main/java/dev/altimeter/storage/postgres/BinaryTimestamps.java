package dev.altimeter.storage.postgres;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.postgresql.client.EncodedParameter;
import io.r2dbc.postgresql.codec.Codec;
import io.r2dbc.postgresql.codec.CodecMetadata;
import io.r2dbc.postgresql.codec.CodecRegistry;
import io.r2dbc.postgresql.codec.PostgresqlObjectId;
import io.r2dbc.postgresql.extension.CodecRegistrar;
import io.r2dbc.postgresql.message.Format;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

/**
 * Decodes {@code timestamptz} and {@code timestamp} values sent in binary (8 bytes: microseconds
 * since 2000-01-01 00:00 UTC on PostgreSQL's proleptic Gregorian calendar) into an {@link
 * OffsetDateTime} in UTC, ahead of the driver's own codec. The store asks for binary results (see
 * {@link PostgresStorage}); r2dbc-postgresql 1.1's binary decoding converts dates before 15 October
 * 1582 to the Julian calendar (a rule copied from pgjdbc, right for {@code java.util.Date}, not for
 * {@code java.time}), so 0001-01-01 would come back as 0000-12-30. Parameters are still encoded
 * by the driver's codec, to which it delegates. Immutable; one per connection.
 */
final class BinaryTimestamps implements Codec<OffsetDateTime>, CodecMetadata, CodecRegistrar {
  /** Seconds from 1970-01-01 to 2000-01-01, PostgreSQL's epoch. */
  private static final long POSTGRES_EPOCH = 946_684_800L;

  /** The driver's codec for OffsetDateTime, which keeps encoding parameters; null in the registrar. */
  private final Codec<?> encoder;

  BinaryTimestamps() {
    this(null);
  }

  private BinaryTimestamps(Codec<?> encoder) {
    this.encoder = encoder;
  }

  /** Per connection: puts a decoder ahead of the driver's, encoding through the driver's codec. */
  @Override
  public Publisher<Void> register(PostgresqlConnection connection, ByteBufAllocator allocator, CodecRegistry registry) {
    OffsetDateTime probe = OffsetDateTime.now(ZoneOffset.UTC);
    for (Codec<?> codec : registry) {
      if (codec.canEncode(probe)) {
        registry.addFirst(new BinaryTimestamps(codec));
        return Mono.empty();
      }
    }
    return Mono.error(new IllegalStateException("the driver has no codec for OffsetDateTime"));
  }

  @Override
  public boolean canDecode(int dataType, Format format, Class<?> type) {
    return format == Format.FORMAT_BINARY && (dataType == PostgresqlObjectId.TIMESTAMPTZ.getObjectId()
        || dataType == PostgresqlObjectId.TIMESTAMP.getObjectId()) && type.isAssignableFrom(OffsetDateTime.class);
  }

  // the driver caches one decoder per (type, format, class) from its codecs' metadata, the first
  // registered winning: without it the driver's own codec would stay cached ahead of this one
  @Override
  public Class<?> type() {
    return OffsetDateTime.class;
  }

  @Override
  public Iterable<Format> getFormats() {
    return List.of(Format.FORMAT_BINARY);
  }

  @Override
  public Iterable<PostgresqlObjectId> getDataTypes() {
    return List.of(PostgresqlObjectId.TIMESTAMPTZ, PostgresqlObjectId.TIMESTAMP);
  }

  @Override
  public OffsetDateTime decode(ByteBuf buffer, int dataType, Format format, Class<? extends OffsetDateTime> type) {
    if (buffer == null) return null;
    long micros = buffer.readLong();
    // 'infinity' and '-infinity'; the store never writes them
    if (micros == Long.MAX_VALUE) return OffsetDateTime.MAX;
    if (micros == Long.MIN_VALUE) return OffsetDateTime.MIN;
    // not OffsetDateTime.ofInstant: its ZoneOffset.getRules() builds a new ZoneRules every call (JDK 17),
    // the most of this decode's cost in a 1,000-row statistics answer (two timestamps a row)
    return OffsetDateTime.of(LocalDateTime.ofEpochSecond(POSTGRES_EPOCH + Math.floorDiv(micros, 1_000_000L),
        (int) Math.floorMod(micros, 1_000_000L) * 1_000, ZoneOffset.UTC), ZoneOffset.UTC);
  }

  @Override
  public boolean canEncode(Object value) {
    return encoder.canEncode(value);
  }

  @Override
  public boolean canEncodeNull(Class<?> type) {
    return encoder.canEncodeNull(type);
  }

  @Override
  public EncodedParameter encode(Object value) {
    return encoder.encode(value);
  }

  @Override
  public EncodedParameter encode(Object value, int dataType) {
    return encoder.encode(value, dataType);
  }

  @Override
  public EncodedParameter encodeNull() {
    return encoder.encodeNull();
  }
}
