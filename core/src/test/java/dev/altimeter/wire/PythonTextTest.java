package dev.altimeter.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link PythonText} against what CPython 3 prints. */
class PythonTextTest {
  @Test
  void scalars() {
    assertThat(PythonText.repr(null)).isEqualTo("None");
    assertThat(PythonText.repr(true)).isEqualTo("True");
    assertThat(PythonText.repr(1)).isEqualTo("1");
    assertThat(PythonText.repr(1.0)).isEqualTo("1.0");
    assertThat(PythonText.repr(2.5)).isEqualTo("2.5");
    assertThat(PythonText.repr(1e16)).isEqualTo("1e+16");
    assertThat(PythonText.repr(1.5e-5)).isEqualTo("1.5e-05");
    assertThat(PythonText.repr(123456.789)).isEqualTo("123456.789");
    assertThat(PythonText.repr("it's")).isEqualTo("\"it's\"");
    assertThat(PythonText.repr("a'b\"c\n")).isEqualTo("'a\\'b\"c\\n'");
  }

  @Test
  void containersKeepTheirOrder() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("b", List.of(1, "x"));
    m.put("a", Arrays.asList(null, false));
    assertThat(PythonText.repr(m)).isEqualTo("{'b': [1, 'x'], 'a': [None, False]}");
    assertThat(PythonText.repr(Map.of())).isEqualTo("{}");
  }

  @Test
  void pythonFloatRepr() {
    assertThat(PythonText.floatRepr(1.0)).isEqualTo("1.0");
    assertThat(PythonText.floatRepr(15000000000.0)).isEqualTo("15000000000.0");
    assertThat(PythonText.floatRepr(1e16)).isEqualTo("1e+16");
    assertThat(PythonText.floatRepr(1.5e16)).isEqualTo("1.5e+16");
    assertThat(PythonText.floatRepr(0.0001)).isEqualTo("0.0001");
    assertThat(PythonText.floatRepr(0.00001)).isEqualTo("1e-05");
    assertThat(PythonText.floatRepr(-2.5)).isEqualTo("-2.5");
    assertThat(PythonText.floatRepr(0.1)).isEqualTo("0.1");
    assertThat(PythonText.floatRepr(123.456)).isEqualTo("123.456");
    assertThat(PythonText.floatRepr(-0.0)).isEqualTo("-0.0");
    assertThat(PythonText.str(1.5e10)).isEqualTo("15000000000.0");
    assertThat(PythonText.str("it's")).isEqualTo("it's");
  }
}
