package dev.altimeter.collector.pipeline.publish;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A minimal MessagePack encoder for JSON-shaped values, producing what Python's
 * {@code msgpack.dumps(value, use_bin_type=True)} produces for the same dict: nil, booleans, ints in
 * their smallest encoding, doubles as float 64, strings as UTF-8 str, lists as arrays, maps in their
 * iteration order. Stateless.
 */
public final class MsgPack {
  private MsgPack() {}

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
}
