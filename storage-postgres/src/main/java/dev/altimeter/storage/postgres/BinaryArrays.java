package dev.altimeter.storage.postgres;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.r2dbc.postgresql.client.EncodedParameter;
import io.r2dbc.postgresql.codec.Codec;
import io.r2dbc.postgresql.codec.PostgresqlObjectId;
import io.r2dbc.postgresql.extension.CodecRegistrar;
import io.r2dbc.postgresql.message.Format;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import reactor.core.publisher.Mono;

/**
 * Array parameters sent in PostgreSQL's binary array format: bind an {@link Int8Array}, {@link
 * Int4Array}, {@link Float8Array}, {@link UuidArray} or {@link TextArray} instead of a Java array.
 *
 * <p>Why: r2dbc-postgresql 1.1 sends every Java array parameter in text ({@code ArrayCodec}), so a
 * sample batch's {@code unnest($1::uuid[], ..., $6::float8[], $7::text[])} had the JVM format
 * thousands of numbers and UUIDs to text ({@code Double.toString} is slow) and PostgreSQL parse
 * them back ({@code float8in}, {@code uuid_in}, {@code int8in}): about a microsecond per sample on
 * each side. In binary each element is its length word and its fixed-width big-endian bytes;
 * primitive arrays also spare the writer one boxed value per element.
 *
 * <p>Contract: the wire format is {@code array_recv}'s: int32 number of dimensions (1, or 0 for an
 * empty array, as PostgreSQL itself sends), int32 has-nulls flag (0 or 1), int32 element type OID;
 * for one dimension int32 length and int32 lower bound (1); then per element an int32 byte length
 * (-1 for NULL, no bytes) and the bytes: int8 8 bytes, int4 4 bytes, float8 the 8 bytes of its
 * IEEE-754 bits (NaN, -0.0 and the infinities kept), uuid 16 bytes (most significant half first),
 * text UTF-8 (the driver sets {@code client_encoding} to UTF8). The parameter is declared with the
 * array type's OID, so the statement's casts ({@code $1::uuid[]}) match it. Only {@link UuidArray}
 * and {@link TextArray} may hold NULL elements. The arrays are not copied: they must not change
 * between {@code bind} and the statement's execution. Encoding only: nothing is decoded here.
 *
 * <p>Registered explicitly on each connection by {@link #REGISTRAR} (an extension in {@link
 * PostgresStorage}'s connection options), ahead of the driver's codecs, none of which could encode
 * these types anyway. Thread-safe: stateless apart from the connection's allocator.
 */
final class BinaryArrays implements Codec<BinaryArrays.BinaryArray> {
  /** Puts the codec on each new connection, with that connection's allocator. */
  static final CodecRegistrar REGISTRAR = (connection, allocator, registry) -> {
    registry.addFirst(new BinaryArrays(allocator));
    return Mono.empty();
  };

  /** ndim, flags, element type, length, lower bound. */
  private static final int HEADER_BYTES = 5 * Integer.BYTES;

  private final ByteBufAllocator allocator;

  private BinaryArrays(ByteBufAllocator allocator) {
    this.allocator = allocator;
  }

  /** A one-dimensional array with its PostgreSQL types; writes its own elements. */
  sealed interface BinaryArray permits Int8Array, Int4Array, Float8Array, UuidArray, TextArray {
    PostgresqlObjectId arrayType();

    PostgresqlObjectId elementType();

    int length();

    /** The elements' bytes with their length words: exact for fixed widths, a first guess for text. */
    int elementBytes();

    /** Writes each element (length word, bytes); whether one was NULL. */
    boolean writeElements(ByteBuf out);
  }

  /** {@code int8[]} ({@code bigint[]}). */
  record Int8Array(long[] values) implements BinaryArray {
    @Override public PostgresqlObjectId arrayType() { return PostgresqlObjectId.INT8_ARRAY; }
    @Override public PostgresqlObjectId elementType() { return PostgresqlObjectId.INT8; }
    @Override public int length() { return values.length; }
    @Override public int elementBytes() { return values.length * (Integer.BYTES + Long.BYTES); }

    @Override
    public boolean writeElements(ByteBuf out) {
      for (long v : values) out.writeInt(Long.BYTES).writeLong(v);
      return false;
    }
  }

  /** {@code int4[]} ({@code int[]}). */
  record Int4Array(int[] values) implements BinaryArray {
    @Override public PostgresqlObjectId arrayType() { return PostgresqlObjectId.INT4_ARRAY; }
    @Override public PostgresqlObjectId elementType() { return PostgresqlObjectId.INT4; }
    @Override public int length() { return values.length; }
    @Override public int elementBytes() { return values.length * (Integer.BYTES + Integer.BYTES); }

    @Override
    public boolean writeElements(ByteBuf out) {
      for (int v : values) out.writeInt(Integer.BYTES).writeInt(v);
      return false;
    }
  }

  /** {@code float8[]} ({@code double precision[]}). */
  record Float8Array(double[] values) implements BinaryArray {
    @Override public PostgresqlObjectId arrayType() { return PostgresqlObjectId.FLOAT8_ARRAY; }
    @Override public PostgresqlObjectId elementType() { return PostgresqlObjectId.FLOAT8; }
    @Override public int length() { return values.length; }
    @Override public int elementBytes() { return values.length * (Integer.BYTES + Double.BYTES); }

    @Override
    public boolean writeElements(ByteBuf out) {
      // writeDouble writes the raw bits: NaN, -0.0 and the infinities arrive as they are
      for (double v : values) out.writeInt(Double.BYTES).writeDouble(v);
      return false;
    }
  }

  /** {@code uuid[]}; a null element is NULL. */
  record UuidArray(UUID[] values) implements BinaryArray {
    @Override public PostgresqlObjectId arrayType() { return PostgresqlObjectId.UUID_ARRAY; }
    @Override public PostgresqlObjectId elementType() { return PostgresqlObjectId.UUID; }
    @Override public int length() { return values.length; }
    @Override public int elementBytes() { return values.length * (Integer.BYTES + 2 * Long.BYTES); }

    @Override
    public boolean writeElements(ByteBuf out) {
      boolean nulls = false;
      for (UUID v : values) {
        if (v == null) {
          out.writeInt(-1);
          nulls = true;
        } else {
          out.writeInt(2 * Long.BYTES).writeLong(v.getMostSignificantBits()).writeLong(v.getLeastSignificantBits());
        }
      }
      return nulls;
    }
  }

  /** {@code text[]}; a null element is NULL. */
  record TextArray(String[] values) implements BinaryArray {
    @Override public PostgresqlObjectId arrayType() { return PostgresqlObjectId.TEXT_ARRAY; }
    @Override public PostgresqlObjectId elementType() { return PostgresqlObjectId.TEXT; }
    @Override public int length() { return values.length; }

    @Override
    public int elementBytes() {
      int bytes = 0;
      for (String v : values) bytes += Integer.BYTES + (v == null ? 0 : v.length()); // exact for ASCII
      return bytes;
    }

    @Override
    public boolean writeElements(ByteBuf out) {
      boolean nulls = false;
      for (String v : values) {
        if (v == null) {
          out.writeInt(-1);
          nulls = true;
        } else {
          // the length word is known once the UTF-8 bytes are written: no byte[] per element
          int lengthAt = out.writerIndex();
          out.writeInt(0);
          out.setInt(lengthAt, out.writeCharSequence(v, StandardCharsets.UTF_8));
        }
      }
      return nulls;
    }
  }

  @Override
  public boolean canEncode(Object value) {
    return value instanceof BinaryArray;
  }

  @Override
  public EncodedParameter encode(Object value) {
    BinaryArray array = (BinaryArray) value;
    // written when the driver sends the statement, each time it subscribes (as its own codecs do)
    return new EncodedParameter(Format.FORMAT_BINARY, array.arrayType().getObjectId(),
        Mono.fromSupplier(() -> write(array)));
  }

  /** The value names its own type: {@code dataType} (from a typed {@code Parameter}) is not consulted. */
  @Override
  public EncodedParameter encode(Object value, int dataType) {
    return encode(value);
  }

  private ByteBuf write(BinaryArray array) {
    ByteBuf out = allocator.buffer(HEADER_BYTES + array.elementBytes());
    boolean empty = array.length() == 0;
    out.writeInt(empty ? 0 : 1);
    int flagsAt = out.writerIndex();
    out.writeInt(0);
    out.writeInt(array.elementType().getObjectId());
    if (empty) return out;
    out.writeInt(array.length());
    out.writeInt(1);
    if (array.writeElements(out)) out.setInt(flagsAt, 1);
    return out;
  }

  /** A null is bound as the driver's own null of the Java type; never through these wrappers. */
  @Override
  public boolean canEncodeNull(Class<?> type) {
    return false;
  }

  @Override
  public EncodedParameter encodeNull() {
    throw new UnsupportedOperationException("BinaryArrays encodes no nulls");
  }

  @Override
  public boolean canDecode(int dataType, Format format, Class<?> type) {
    return false;
  }

  @Override
  public BinaryArray decode(ByteBuf buffer, int dataType, Format format, Class<? extends BinaryArray> type) {
    throw new UnsupportedOperationException("BinaryArrays decodes nothing");
  }
}
