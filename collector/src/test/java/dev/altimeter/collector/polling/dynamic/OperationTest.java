package dev.altimeter.collector.polling.dynamic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.altimeter.collector.python.ExpressionException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperationTest {

  static Object eval(String expression, Object value) {
    return Operation.compile(expression).apply(value);
  }

  @Test
  void theSpecExamples() {
    assertThat(eval("value / 1024", 2048L)).isEqualTo(2.0);
    assertThat(eval("value / 1024", 512)).isEqualTo(0.5);
    assertThat(eval("value * 2", 21L)).isEqualTo(42L);
    assertThat(eval("value.split('$')", "p1$p1")).isEqualTo(List.of("p1", "p1"));
    assertThat(eval("value.split('$')[0]", "p1$x")).isEqualTo("p1");
    assertThat(eval("value[0].strip()", List.of("  p1 "))).isEqualTo("p1");
    assertThat(eval("value['x'] if 'x' in value else 0", Map.of("x", 7))).isEqualTo(7L);
    assertThat(eval("value['x'] if 'x' in value else 0", Map.of("y", 7))).isEqualTo(0L);
    List<Object> links = List.of(Map.of("rel", "self", "href", "a"), Map.of("rel", "next", "href", "b"));
    assertThat(eval("[l['href'] for l in value if l['rel'] == 'next']", links)).isEqualTo(List.of("b"));
    assertThat(eval("value[0] if value else None", List.of("b"))).isEqualTo("b");
    assertThat(eval("value[0] if value else None", List.of())).isNull();
  }

  @Test
  void pythonSemantics() {
    assertThat(eval("value // 3", 10L)).isEqualTo(3L);
    assertThat(eval("value // 3", -10L)).isEqualTo(-4L);
    assertThat(eval("value % 3", -10L)).isEqualTo(2L);
    assertThat(eval("-value + 1.5", 1L)).isEqualTo(0.5);
    assertThat(eval("1 < value <= 3", 3L)).isEqualTo(true);
    assertThat(eval("1 < value <= 3", 4L)).isEqualTo(false);
    assertThat(eval("value is None", null)).isEqualTo(true);
    assertThat(eval("not value and True", "")).isEqualTo(true);
    assertThat(eval("value or 'none'", "")).isEqualTo("none");
    assertThat(eval("value[-1]", List.of(1, 2, 3))).isEqualTo(3L);
    assertThat(eval("value[1:]", "abc")).isEqualTo("bc");
    assertThat(eval("int(value) + 1", "41")).isEqualTo(42L);
    assertThat(eval("float(value)", "0.25")).isEqualTo(0.25);
    assertThat(eval("str(value / 2)", 4L)).isEqualTo("2.0");
    assertThat(eval("len(value)", Map.of("a", 1))).isEqualTo(1L);
    assertThat(eval("sum([x['n'] for x in value])", List.of(Map.of("n", 1), Map.of("n", 2.5)))).isEqualTo(3.5);
    assertThat(eval("value.get('missing', 5)", Map.of())).isEqualTo(5L);
    assertThat(eval("'-'.join(value)", List.of("a", "b"))).isEqualTo("a-b");
    assertThat(eval("value.lower().replace(\"x\", 'y')", "XAX")).isEqualTo("yay");
    assertThat(eval("[value, 2, 'x']", 1L)).isEqualTo(List.of(1L, 2L, "x"));
    assertThat(eval("value not in ['a', 'b']", "c")).isEqualTo(true);
    assertThat(eval("value.rsplit('.', 1)[1]", "a.b.c")).isEqualTo("c");
    assertThat(eval("value == 1", 1.0)).isEqualTo(true);
  }

  @Test
  void refusesWhatIsNotAnExpression() {
    assertThatThrownBy(() -> Operation.compile("1 + 1")).hasMessageContaining("must use 'value'");
    assertThatThrownBy(() -> Operation.compile("__import__('os').system('id') or value"))
        .hasMessageContaining("not allowed");
    assertThatThrownBy(() -> Operation.compile("value.__class__")).hasMessageContaining("not allowed");
    assertThatThrownBy(() -> Operation.compile("open('/etc/passwd') or value")).hasMessageContaining("not allowed");
    assertThatThrownBy(() -> Operation.compile("lambda: value")).hasMessageContaining("keyword");
    assertThatThrownBy(() -> Operation.compile("other + value")).hasMessageContaining("unknown name 'other'");
    assertThatThrownBy(() -> Operation.compile("value +")).isInstanceOf(ExpressionException.Syntax.class);
    assertThatThrownBy(() -> Operation.compile("value = 1")).isInstanceOf(ExpressionException.Syntax.class);
  }

  @Test
  void evaluationErrorsAreReported() {
    assertThatThrownBy(() -> eval("value['x']", Map.of())).isInstanceOf(ExpressionException.class)
        .hasMessageContaining("KeyError");
    assertThatThrownBy(() -> eval("value / 0", 1L)).hasMessageContaining("division by zero");
    assertThatThrownBy(() -> eval("value + 1", "a")).hasMessageContaining("unsupported operand");
  }
}
