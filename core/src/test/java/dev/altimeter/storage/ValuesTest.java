package dev.altimeter.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The refusals of {@link Values#json} name the refused value by its path, however deep. */
class ValuesTest {
  @Test
  void aRefusedValueIsNamedByItsPath() {
    assertThatThrownBy(() -> Values.json(Map.of("a", Map.of("b", "x\u0000")), "resource_metadata"))
        .hasMessage("resource_metadata.a.b contains a NUL character, which cannot be stored");
    assertThatThrownBy(() -> Values.json(Map.of("a", Map.of("k\u0000", 1)), "resource_metadata"))
        .hasMessage("resource_metadata.a key contains a NUL character, which cannot be stored");
    assertThatThrownBy(() -> Values.json(Map.of("l", List.of(1, "\ud800")), "resource_metadata"))
        .hasMessage("resource_metadata.l contains an unpaired surrogate (U+D800), which is not Unicode text");
    assertThatThrownBy(() -> Values.json(Map.of("l", List.of(Map.of("k", "\u0000"))), "resource_metadata"))
        .hasMessage("resource_metadata.l.k contains a NUL character, which cannot be stored");
    assertThatThrownBy(() -> Values.json(Map.of("n", Map.of("m", new BigDecimal("1e200000"))), "raw"))
        .hasMessage("raw.n.m is a number too large or too precise to be stored");
    assertThatThrownBy(() -> Values.json("\udc00x", "name"))
        .hasMessage("name contains an unpaired surrogate (U+DC00), which is not Unicode text");
  }

  @Test
  void whatTheStoreHoldsPasses() {
    Map<String, Object> document = Map.of("a", Map.of("b", "x", "n", 1L, "l", List.of("\ud83d\ude00", 2.5)), "ok", true);
    assertThat(Values.json(document, "resource_metadata")).isSameAs(document);
    assertThat(Values.text(null, "f")).isNull();
  }
}
