package dev.altimeter.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MsgPackTest {

  @Test
  void decodesWhatTheEncoderWritesAcrossEverySize() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("nil", null);
    m.put("t", true);
    m.put("f", false);
    m.put("ints", List.of(0L, 127L, 128L, 255L, 256L, 65_535L, 65_536L, 4_294_967_296L, -1L, -32L, -33L, -128L, -129L,
        -32_768L, -32_769L, Long.MIN_VALUE, Long.MAX_VALUE));
    m.put("d", 12.5);
    m.put("s31", "x".repeat(31));
    m.put("s255", "é".repeat(100));
    m.put("s64k", "y".repeat(70_000));
    List<Object> big = new ArrayList<>();
    for (long i = 0; i < 70_000; i++) big.add(i % 3);
    m.put("bigList", big);
    Map<String, Object> wide = new LinkedHashMap<>();
    for (int i = 0; i < 20; i++) wide.put("k" + i, Map.of("nested", List.of()));
    m.put("wide", wide);
    assertThat(MsgPack.decode(MsgPack.encode(m))).isEqualTo(m);
  }

  @Test
  void rejectsMalformedInputWithoutAllocatingItsDeclaredSize() {
    assertThatThrownBy(() -> MsgPack.decode(new byte[] {(byte) 0xdb, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}))
        .isInstanceOf(MsgPack.MalformedException.class);
    assertThatThrownBy(() -> MsgPack.decode(new byte[] {(byte) 0xdd, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}))
        .isInstanceOf(MsgPack.MalformedException.class);
    assertThatThrownBy(() -> MsgPack.decode(new byte[] {(byte) 0xcb, 1, 2})).hasMessage("truncated msgpack");
    assertThatThrownBy(() -> MsgPack.decode(new byte[] {1, 2})).hasMessageContaining("trailing bytes");
    assertThatThrownBy(() -> MsgPack.decode(new byte[] {(byte) 0x81, 1, 2})).hasMessageContaining("key is not a str");
    assertThatThrownBy(() -> MsgPack.decode(new byte[] {(byte) 0xa1, (byte) 0xff})).hasMessageContaining("UTF-8");
    assertThatThrownBy(() -> MsgPack.decode(new byte[] {(byte) 0xd4, 1, 1})).hasMessageContaining("0xd4");
    byte[] deep = new byte[200];
    java.util.Arrays.fill(deep, (byte) 0x91);
    assertThatThrownBy(() -> MsgPack.decode(deep)).hasMessageContaining("nested deeper");
  }
}
