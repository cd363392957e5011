package dev.altimeter.wire;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MessagePack for JSON-shaped values, both directions. Stateless.
 *
 * <p>{@link #encode} produces what Python's {@code msgpack.dumps(value, use_bin_type=True)} produces
 * for the same dict: nil, booleans, ints in their smallest encoding, doubles as float 64, strings as
 * UTF-8 str, lists as arrays, maps in their iteration order.
 *
 * <p>{@link #decode} reads what {@code msgpack.dumps} produces for JSON-shaped values: nil, booleans,
 * ints (as {@code Long}), float 32/64 (as {@code Double}), str (strict UTF-8), bin (as {@code
 * byte[]}), arrays (as lists) and maps (string keys, as insertion-ordered maps). Extension types are
 * rejected. Bounded: every declared length is checked against the bytes left and nesting is limited,
 * so a hostile input cannot make it allocate more than its own size or overflow the stack.
 */
public final class MsgPack {
  private static final int MAX_DEPTH = 64;

  private MsgPack() {}

  /** The msgpack of a JSON-shaped value; any other object is written as its {@code toString()}. */
  public static byte[] encode(Object value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    write(out, value);
    return out.toByteArray();
  }

  private static void write(ByteArrayOutputStream out, Object v) {
    if (v == null) {
      out.write(0xc0);
    } else if (v instanceof Boolean b) {
      out.write(b ? 0xc3 : 0xc2);
    } else if (v instanceof Double || v instanceof Float) {
      out.write(0xcb);
      writeLong(out, Double.doubleToLongBits(((Number) v).doubleValue()), 8);
    } else if (v instanceof Number n) {
      writeInt(out, n.longValue());
    } else if (v instanceof String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      int len = b.length;
      if (len < 32) {
        out.write(0xa0 | len);
      } else if (len < 0x100) {
        out.write(0xd9);
        out.write(len);
      } else if (len < 0x10000) {
        out.write(0xda);
        writeLong(out, len, 2);
      } else {
        out.write(0xdb);
        writeLong(out, len, 4);
      }
      out.write(b, 0, len);
    } else if (v instanceof List<?> l) {
      header(out, l.size(), 0x90, 0xdc, 0xdd);
      for (Object o : l) write(out, o);
    } else if (v instanceof Map<?, ?> m) {
      header(out, m.size(), 0x80, 0xde, 0xdf);
      for (Map.Entry<?, ?> e : m.entrySet()) {
        write(out, String.valueOf(e.getKey()));
        write(out, e.getValue());
      }
    } else {
      write(out, v.toString());
    }
  }

  private static void header(ByteArrayOutputStream out, int size, int fix, int b16, int b32) {
    if (size < 16) {
      out.write(fix | size);
    } else if (size < 0x10000) {
      out.write(b16);
      writeLong(out, size, 2);
    } else {
      out.write(b32);
      writeLong(out, size, 4);
    }
  }

  private static void writeInt(ByteArrayOutputStream out, long v) {
    if (v >= 0) {
      if (v < 128) {
        out.write((int) v);
      } else if (v < 0x100) {
        out.write(0xcc);
        out.write((int) v);
      } else if (v < 0x10000) {
        out.write(0xcd);
        writeLong(out, v, 2);
      } else if (v < 0x100000000L) {
        out.write(0xce);
        writeLong(out, v, 4);
      } else {
        out.write(0xcf);
        writeLong(out, v, 8);
      }
    } else if (v >= -32) {
      out.write((int) (v & 0xff));
    } else if (v >= Byte.MIN_VALUE) {
      out.write(0xd0);
      out.write((int) (v & 0xff));
    } else if (v >= Short.MIN_VALUE) {
      out.write(0xd1);
      writeLong(out, v, 2);
    } else if (v >= Integer.MIN_VALUE) {
      out.write(0xd2);
      writeLong(out, v, 4);
    } else {
      out.write(0xd3);
      writeLong(out, v, 8);
    }
  }

  private static void writeLong(ByteArrayOutputStream out, long v, int bytes) {
    for (int i = bytes - 1; i >= 0; i--) out.write((int) (v >>> (8 * i)) & 0xff);
  }

  /** Thrown for anything that is not exactly one well-formed value. */
  public static final class MalformedException extends IllegalArgumentException {
    public MalformedException(String message) {
      super(message);
    }
  }

  /** Decodes exactly one value from {@code bytes} (trailing bytes are an error). */
  public static Object decode(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    Object v;
    try {
      v = read(in, 0);
    } catch (BufferUnderflowException e) {
      throw new MalformedException("truncated msgpack");
    }
    if (in.hasRemaining()) throw new MalformedException("trailing bytes after msgpack value: " + in.remaining());
    return v;
  }

  private static Object read(ByteBuffer in, int depth) {
    if (depth > MAX_DEPTH) throw new MalformedException("msgpack nested deeper than " + MAX_DEPTH);
    int b = in.get() & 0xff;
    if (b <= 0x7f) return (long) b;
    if (b >= 0xe0) return (long) (byte) b;
    if ((b & 0xf0) == 0x80) return map(in, b & 0x0f, depth);
    if ((b & 0xf0) == 0x90) return array(in, b & 0x0f, depth);
    if ((b & 0xe0) == 0xa0) return str(in, b & 0x1f);
    return switch (b) {
      case 0xc0 -> null;
      case 0xc2 -> false;
      case 0xc3 -> true;
      case 0xc4 -> bin(in, in.get() & 0xff);
      case 0xc5 -> bin(in, in.getShort() & 0xffff);
      case 0xc6 -> bin(in, length(in.getInt()));
      case 0xca -> (double) in.getFloat();
      case 0xcb -> in.getDouble();
      case 0xcc -> (long) (in.get() & 0xff);
      case 0xcd -> (long) (in.getShort() & 0xffff);
      case 0xce -> in.getInt() & 0xffffffffL;
      case 0xcf -> {
        long v = in.getLong();
        if (v < 0) throw new MalformedException("uint64 beyond the range of a long");
        yield v;
      }
      case 0xd0 -> (long) in.get();
      case 0xd1 -> (long) in.getShort();
      case 0xd2 -> (long) in.getInt();
      case 0xd3 -> in.getLong();
      case 0xd9 -> str(in, in.get() & 0xff);
      case 0xda -> str(in, in.getShort() & 0xffff);
      case 0xdb -> str(in, length(in.getInt()));
      case 0xdc -> array(in, in.getShort() & 0xffff, depth);
      case 0xdd -> array(in, length(in.getInt()), depth);
      case 0xde -> map(in, in.getShort() & 0xffff, depth);
      case 0xdf -> map(in, length(in.getInt()), depth);
      default -> throw new MalformedException("unsupported msgpack type byte 0x" + Integer.toHexString(b));
    };
  }

  private static int length(int raw) {
    if (raw < 0) throw new MalformedException("msgpack length beyond 2^31");
    return raw;
  }

  private static byte[] bytes(ByteBuffer in, int len) {
    if (len > in.remaining()) throw new MalformedException("msgpack length " + len + " beyond the input");
    byte[] b = new byte[len];
    in.get(b);
    return b;
  }

  private static byte[] bin(ByteBuffer in, int len) {
    return bytes(in, len);
  }

  private static String str(ByteBuffer in, int len) {
    byte[] b = bytes(in, len);
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      throw new MalformedException("msgpack str is not UTF-8");
    }
  }

  private static List<Object> array(ByteBuffer in, int n, int depth) {
    if (n > in.remaining()) throw new MalformedException("msgpack array of " + n + " beyond the input");
    List<Object> l = new ArrayList<>(n);
    for (int i = 0; i < n; i++) l.add(read(in, depth + 1));
    return l;
  }

  private static Map<String, Object> map(ByteBuffer in, int n, int depth) {
    if (n > in.remaining() / 2) throw new MalformedException("msgpack map of " + n + " beyond the input");
    Map<String, Object> m = new LinkedHashMap<>(Math.max(4, n * 2));
    for (int i = 0; i < n; i++) {
      Object key = read(in, depth + 1);
      if (!(key instanceof String k)) throw new MalformedException("msgpack map key is not a str: " + key);
      m.put(k, read(in, depth + 1));
    }
    return m;
  }
}
