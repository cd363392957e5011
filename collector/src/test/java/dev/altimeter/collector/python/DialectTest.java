package dev.altimeter.collector.python;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The kernel's hooks: one syntax and one set of values, with what each dialect may read or call. */
class DialectTest {
  static final Dialect NAMESPACES = new Dialect(null, true, true, Set.of("abs"), Set.of());
  static final Dialect VALUE_ONLY = new Dialect(Set.of("value"), false, false, Dialect.FUNCTIONS, Dialect.METHODS);

  @Test
  void bothDialectsComputeTheSameValues() {
    for (String text : List.of("value * 2 + 1", "value // 3", "-value % 4", "value ** 2", "value / 4",
        "value > 3 and value or 0", "1 if value else 2", "9223372036854775807 + value")) {
      Object a = Expression.parse(text, NAMESPACES).evaluate(Map.of("value", 7L));
      Object b = Expression.parse(text, VALUE_ONLY).evaluate(Map.of("value", 7));
      assertThat(a).as(text).isEqualTo(b);
    }
    assertThat(Expression.parse("9223372036854775807 + value", VALUE_ONLY).evaluate(Map.of("value", 1L)))
        .as("an int past 64 bits becomes a float, not a wrapped negative").isEqualTo(9.223372036854775808E18);
  }

  @Test
  void variablesAreResolvedAtParseTimeOnlyWhenTheDialectNamesThem() {
    assertThatThrownBy(() -> Expression.parse("other + value", VALUE_ONLY))
        .isInstanceOf(ExpressionException.Syntax.class)
        .hasMessage("invalid expression 'other + value': unknown name 'other' at position 1");
    Expression any = Expression.parse("other + 1", NAMESPACES);
    assertThat(any.names()).containsExactly("other");
    assertThatThrownBy(() -> any.evaluate(Map.of())).hasMessage("name 'other' is not defined");
    assertThat(Expression.parse("[x for x in value if x]", VALUE_ONLY).names()).containsExactly("value");
  }

  @Test
  void attributesAreNamespaceKeysOrMethodCalls() {
    Map<String, Object> ns = Map.of("value", Map.of("a", 5));
    assertThat(Expression.parse("value.a", NAMESPACES).evaluate(ns)).isEqualTo(5L);
    assertThat(Expression.parse("value.missing or 3", NAMESPACES).evaluate(ns)).isEqualTo(3L);
    assertThatThrownBy(() -> Expression.parse("value.a", VALUE_ONLY)).hasMessageContaining("not allowed");
    assertThat(Expression.parse("value.get('a')", VALUE_ONLY).evaluate(ns)).isEqualTo(5L);
    assertThatThrownBy(() -> Expression.parse("value.get('a')", NAMESPACES)).hasMessageContaining("not allowed");
    assertThatThrownBy(() -> Expression.parse("len(value)", NAMESPACES))
        .hasMessageContaining("calls are not allowed, but to abs");
  }

  @Test
  void meterReferencesExistOnlyWhereTheDialectHasThem() {
    Expression e = Expression.parse("$(cpu) + $(mem).x", NAMESPACES);
    assertThat(e.meterReferences()).containsExactly("cpu", "mem");
    assertThat(e.evaluate(Map.of("$(cpu)", Map.of("volume", 1.5), "$(mem)", Map.of("x", 2L)))).isEqualTo(3.5);
    assertThatThrownBy(() -> Expression.parse("$(cpu) + value", VALUE_ONLY)).hasMessageContaining("unexpected character '$'");
  }

  @Test
  void lenientAndStrictValueRulesAgree() {
    assertThat(Values.arithmetic(7L, "/", 2L)).isEqualTo(Values.binary("/", 7L, 2L));
    assertThat(Values.arithmetic(1, "/", 0)).isNull();
    assertThatThrownBy(() -> Values.binary("/", 1, 0)).hasMessage("division by zero");
    assertThat(Values.arithmetic("a", "+", 1)).isNull();
    assertThatThrownBy(() -> Values.binary("+", "a", 1)).hasMessage("unsupported operand type(s) for +: 'str' and 'int'");
    assertThat(Values.compare("a", "<", 1)).isFalse();
    assertThatThrownBy(() -> Values.compareStrict("<", "a", 1))
        .hasMessage("'<' not supported between instances of 'str' and 'int'");
    assertThat(Values.compare(BigInteger.TWO, "=", 2.0)).isTrue();
    assertThat(Values.compare(Double.NaN, "<", 1)).isFalse();
  }

  @Test
  void truthinessIsPythons() {
    for (Object falsy : new Object[] {null, false, 0L, 0, 0.0, BigInteger.ZERO, "", List.of(), Map.of()}) {
      assertThat(Values.truthy(falsy)).as(String.valueOf(falsy)).isFalse();
    }
    for (Object truthy : new Object[] {true, 1L, -1, 0.5, Double.NaN, "0", List.of(0), Map.of("", "")}) {
      assertThat(Values.truthy(truthy)).as(String.valueOf(truthy)).isTrue();
    }
  }
}
