package dev.altimeter.collector.pipeline.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.altimeter.collector.python.Expression;
import dev.altimeter.collector.python.ExpressionException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Transformer expressions: the kernel in the dialect of {@link SampleNamespace#EXPRESSIONS}. */
class ExpressionTest {
  static Expression parse(String text) {
    return Expression.parse(text, SampleNamespace.EXPRESSIONS);
  }

  static Object eval(String e) {
    return parse(e).evaluate(Map.of("volume", 3.0, "resource_metadata", Map.of("cpu_number", 4L)));
  }

  @Test
  void cpuUtilScaleFromTheRockyPipeline() {
    Expression e = parse("100.0 / (10**9 * (resource_metadata.cpu_number or 1))");
    Map<String, Object> ns = new HashMap<>();
    ns.put("resource_metadata", Map.of("cpu_number", 4L));
    assertThat(e.evaluateNumber(ns)).isCloseTo(2.5e-8, within(1e-20));
    ns.put("resource_metadata", Map.of());
    assertThat(e.evaluateNumber(ns)).as("missing cpu_number is falsy: or 1").isCloseTo(1e-7, within(1e-20));
    ns.put("resource_metadata", Map.of("cpu_number", 0L));
    assertThat(e.evaluateNumber(ns)).isCloseTo(1e-7, within(1e-20));
  }

  @Test
  void pythonArithmetic() {
    assertThat(eval("10**9")).isEqualTo(1_000_000_000L);
    assertThat(eval("7 / 2")).isEqualTo(3.5);
    assertThat(eval("7 // 2")).isEqualTo(3L);
    assertThat(eval("-7 // 2")).isEqualTo(-4L);
    assertThat(eval("-7 % 3")).isEqualTo(2L);
    assertThat(eval("7.5 % -2")).isEqualTo(-0.5);
    assertThat(eval("2 ** -1")).isEqualTo(0.5);
    assertThat(eval("-2 ** 2")).isEqualTo(-4L);
    assertThat(eval("2 ** 3 ** 2")).isEqualTo(512L);
    assertThat(eval("1 + 2 * 3 - 4")).isEqualTo(3L);
    assertThat(eval("(1 + 2) * 3")).isEqualTo(9L);
    assertThat(eval("volume * 1.0 / 1024.0")).isEqualTo(3.0 / 1024.0);
    assertThat(eval("1e3 + .5")).isEqualTo(1000.5);
    assertThat(eval("'a' + \"b\"")).isEqualTo("ab");
  }

  @Test
  void logicAndConditionals() {
    assertThat(eval("1 if volume > 2 else 0")).isEqualTo(1L);
    assertThat(eval("1 if volume > 5 else 0")).isEqualTo(0L);
    assertThat(eval("0 or 5")).isEqualTo(5L);
    assertThat(eval("2 and 5")).isEqualTo(5L);
    assertThat(eval("0 and 5")).isEqualTo(0L);
    assertThat(eval("not 0")).isEqualTo(true);
    assertThat(eval("not volume")).isEqualTo(false);
    assertThat(eval("1 < 2 < 3")).isEqualTo(true);
    assertThat(eval("1 < 3 < 2")).isEqualTo(false);
    assertThat(eval("3 == 3.0 != 4")).isEqualTo(true);
    assertThat(eval("None or resource_metadata.cpu_number")).isEqualTo(4L);
    assertThat(eval("resource_metadata.missing.deeper or 7")).isEqualTo(7L);
  }

  @Test
  void builtins() {
    assertThat(eval("min(3, 1, 2)")).isEqualTo(1L);
    assertThat(eval("max(volume, 10)")).isEqualTo(10L);
    assertThat(eval("abs(-2.5)")).isEqualTo(2.5);
    assertThat(eval("round(2.5)")).isEqualTo(2L);
    assertThat(eval("round(3.14159, 2)")).isEqualTo(3.14);
    assertThat(eval("int('42') + float(1)")).isEqualTo(43.0);
  }

  @Test
  void meterReferences() {
    Expression e = parse("100 * $(memory.usage) / $(memory) + $(memory).resource_metadata.x");
    assertThat(e.meterReferences()).containsExactly("memory.usage", "memory");
    Map<String, Object> ns = Map.of(
        "$(memory.usage)", Map.of("volume", 512.0),
        "$(memory)", Map.of("volume", 2048.0, "resource_metadata", Map.of("x", 1L)));
    assertThat(e.evaluateNumber(ns)).isEqualTo(26.0);
  }

  @Test
  void errorsAreExpressionExceptions() {
    assertThatThrownBy(() -> eval("1 / 0")).hasMessage("division by zero");
    assertThatThrownBy(() -> eval("unknown + 1")).hasMessage("name 'unknown' is not defined");
    assertThatThrownBy(() -> eval("resource_metadata.nothing + 1"))
        .hasMessage("unsupported operand type(s) for +: 'dict' and 'int'");
    assertThatThrownBy(() -> eval("volume.real")).hasMessage("'float' object has no attribute 'real'");
  }

  @Test
  void nothingReachesTheJvm() {
    assertThatThrownBy(() -> parse("__import__('os').system('true')"))
        .isInstanceOf(ExpressionException.class)
        .hasMessageContaining("calls are not allowed");
    assertThatThrownBy(() -> eval("volume.getClass")).isInstanceOf(ExpressionException.class);
    assertThatThrownBy(() -> parse("lambda: 1")).isInstanceOf(ExpressionException.class);
    assertThatThrownBy(() -> parse("a; b")).hasMessageContaining("unexpected character ';'");
    assertThatThrownBy(() -> parse("(".repeat(500) + "1" + ")".repeat(500)))
        .hasMessageContaining("nested too deeply");
  }

  @Test
  void constantsAreFoldedButTheirErrorsStillComeAtEvaluation() {
    assertThat(parse("2 ** 10 * volume").evaluate(Map.of("volume", 3.0))).isEqualTo(3072.0);
    Expression divideByZero = parse("1 / 0 + volume"); // parses, as in Python
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> divideByZero.evaluate(Map.of("volume", 1.0)))
        .isInstanceOf(ExpressionException.class);
  }
}
