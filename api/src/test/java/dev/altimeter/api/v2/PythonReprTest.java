package dev.altimeter.api.v2;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link PythonRepr} against what CPython 3 prints. */
class PythonReprTest {
  @Test
  void scalars() {
    assertThat(PythonRepr.of(null)).isEqualTo("None");
    assertThat(PythonRepr.of(true)).isEqualTo("True");
    assertThat(PythonRepr.of(1)).isEqualTo("1");
    assertThat(PythonRepr.of(1.0)).isEqualTo("1.0");
    assertThat(PythonRepr.of(2.5)).isEqualTo("2.5");
    assertThat(PythonRepr.of(1e16)).isEqualTo("1e+16");
    assertThat(PythonRepr.of(1.5e-5)).isEqualTo("1.5e-05");
    assertThat(PythonRepr.of(123456.789)).isEqualTo("123456.789");
    assertThat(PythonRepr.of("it's")).isEqualTo("\"it's\"");
    assertThat(PythonRepr.of("a'b\"c\n")).isEqualTo("'a\\'b\"c\\n'");
  }

  @Test
  void containersKeepTheirOrder() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("b", List.of(1, "x"));
    m.put("a", Arrays.asList(null, false));
    assertThat(PythonRepr.of(m)).isEqualTo("{'b': [1, 'x'], 'a': [None, False]}");
    assertThat(PythonRepr.of(Map.of())).isEqualTo("{}");
  }
}
