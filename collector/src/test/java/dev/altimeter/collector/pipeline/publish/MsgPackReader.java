package dev.altimeter.collector.pipeline.publish;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A test-side msgpack decoder, written independently of the encoder, for the types publishers emit. */
final class MsgPackReader {
  private final ByteBuffer in;

  MsgPackReader(byte[] bytes) {
    in = ByteBuffer.wrap(bytes);
  }

  static Object decode(byte[] bytes) {
    MsgPackReader r = new MsgPackReader(bytes);
    Object v = r.read();
    if (r.in.hasRemaining()) throw new IllegalStateException("trailing bytes: " + r.in.remaining());
    return v;
  }

  Object read() {
    int b = in.get() & 0xff;
    if (b <= 0x7f) return (long) b;
    if (b >= 0xe0) return (long) (byte) b;
    if ((b & 0xf0) == 0x80) return map(b & 0x0f);
    if ((b & 0xf0) == 0x90) return array(b & 0x0f);
    if ((b & 0xe0) == 0xa0) return str(b & 0x1f);
    switch (b) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xcb: return in.getDouble();
      case 0xcc: return (long) (in.get() & 0xff);
      case 0xcd: return (long) (in.getShort() & 0xffff);
      case 0xce: return in.getInt() & 0xffffffffL;
      case 0xcf: return in.getLong();
      case 0xd0: return (long) in.get();
      case 0xd1: return (long) in.getShort();
      case 0xd2: return (long) in.getInt();
      case 0xd3: return in.getLong();
      case 0xd9: return str(in.get() & 0xff);
      case 0xda: return str(in.getShort() & 0xffff);
      case 0xdb: return str(in.getInt());
      case 0xdc: return array(in.getShort() & 0xffff);
      case 0xde: return map(in.getShort() & 0xffff);
      default: throw new IllegalStateException("unsupported type byte " + Integer.toHexString(b));
    }
  }

  private String str(int len) {
    byte[] b = new byte[len];
    in.get(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private List<Object> array(int n) {
    List<Object> l = new ArrayList<>();
    for (int i = 0; i < n; i++) l.add(read());
    return l;
  }

  private Map<String, Object> map(int n) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) m.put((String) read(), read());
    return m;
  }
}
