package dev.altimeter.collector.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigNodeTest {
  static ConfigNode load(String yaml) {
    return ConfigNode.load("f.yaml", new StringReader(yaml));
  }

  @Test
  void scalarsAreTypedAsYamlSafeLoadTypesThem() {
    Map<String, ConfigNode> e = load("""
        dec: 12
        octal: 010
        hex: 0x1F
        big: 123456789012345678901
        inf: -.inf
        nan: .nan
        yes: yes
        none: ~
        name: 123
        """).entries();
    assertThat(e.get("dec").scalar()).isEqualTo(12L);
    assertThat(e.get("octal").scalar()).isEqualTo(8L);
    assertThat(e.get("hex").scalar()).isEqualTo(31L);
    assertThat(e.get("big").scalar()).isEqualTo(new BigInteger("123456789012345678901"));
    assertThat(e.get("inf").scalar()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat((Double) e.get("nan").scalar()).isNaN();
    assertThat(e.get("yes").scalar()).isEqualTo(true);
    assertThat(e.get("none").scalar()).isNull();
    assertThat(e.get("name").written()).isEqualTo("123");
  }

  @Test
  void errorsNameFileLineAndField() {
    ConfigNode root = load("a:\n  b: [1, {c: x}]\n");
    ConfigNode c = root.entries().get("a").entries().get("b").items().get(1).entries().get("c");
    assertThat(c.error("must be a number")).hasMessage("f.yaml:2: a.b[1].c: must be a number");
    assertThat(new ConfigException("f.yaml", 0, "", "cannot read")).hasMessage("f.yaml: cannot read");
    assertThat(root.keys().get("a").line()).isEqualTo(1);
  }

  @Test
  void aRepeatedKeyKeepsItsLastValueAsPyYamlDoes() {
    assertThat(load("a: 1\nb: 0\na: 2\n").entries()).containsOnlyKeys("a", "b");
    assertThat(load("a: 1\na: 2\n").entries().get("a").scalar()).isEqualTo(2L);
  }

  @Test
  void aliasesAreBoundedWhereValuesAreMaterialised() {
    StringBuilder yaml = new StringBuilder("a: &a [x]\nb: [");
    for (int i = 0; i < 60; i++) yaml.append(i == 0 ? "" : ", ").append("*a");
    yaml.append("]\n");
    assertThat(load(yaml.toString()).entries().get("b").items()).hasSize(60);
    assertThatThrownBy(() -> ConfigNode.loadForValues("f.yaml", new StringReader(yaml.toString())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("not valid YAML");
  }

  @Test
  void valuesMaterialiseWithMergesApplied() {
    Object v = load("base: &b {x: 1, y: [a]}\nother:\n  <<: *b\n  y: [b]\n").entries().get("other").value();
    assertThat(v).isEqualTo(Map.of("x", 1L, "y", List.of("b")));
  }
}
