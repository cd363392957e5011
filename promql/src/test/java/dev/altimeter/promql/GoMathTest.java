package dev.altimeter.promql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The ports of Go's math behaviour the engine relies on. */
class GoMathTest {

  @Test
  void powSpecialCasesAsGo() {
    assertThat(Evaluator.goPow(1, Double.NaN)).isEqualTo(1);
    assertThat(Evaluator.goPow(Double.NaN, 0)).isEqualTo(1);
    assertThat(Evaluator.goPow(-1, Double.POSITIVE_INFINITY)).isEqualTo(1);
    assertThat(Evaluator.goPow(-1, Double.NEGATIVE_INFINITY)).isEqualTo(1);
    assertThat(Evaluator.goPow(-8, 1.0 / 3)).isNaN();
    assertThat(Evaluator.goPow(0, -1)).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(Evaluator.goPow(2, 0.5)).isEqualTo(Math.sqrt(2));
    assertThat(Evaluator.goPow(2, 1e300)).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(Evaluator.goPow(0.5, 1e300)).isEqualTo(0);
  }

  @Test
  void powByRepeatedSquaring() {
    assertThat(Evaluator.goPow(2, 10)).isEqualTo(1024);
    assertThat(Evaluator.goPow(-3, 3)).isEqualTo(-27);
    assertThat(Evaluator.goPow(10, -2)).isCloseTo(0.01, org.assertj.core.data.Offset.offset(1e-18));
    assertThat(Evaluator.goPow(2, -1074)).isEqualTo(Double.MIN_VALUE);
    assertThat(Evaluator.goPow(Double.MIN_VALUE, 1)).isEqualTo(Double.MIN_VALUE);
    assertThat(Evaluator.goPow(1.5, 2.5)).isCloseTo(Math.pow(1.5, 2.5), org.assertj.core.data.Offset.offset(1e-15));
    // Go: 12345.678^6 by squaring frexp mantissas, which is not Java's correctly rounded result
    double go = Evaluator.goPow(12345.678, 6);
    assertThat(Math.abs(go - Math.pow(12345.678, 6)) / go).isLessThan(1e-15);
  }

  @Test
  void log2IsExactForPowersOfTwo() {
    assertThat(Evaluator.log2(8)).isEqualTo(3);
    assertThat(Evaluator.log2(0.125)).isEqualTo(-3);
    assertThat(Evaluator.log2(0)).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(Evaluator.log2(-1)).isNaN();
  }

  @Test
  void formatFloatAsGo() {
    assertThat(Evaluator.formatFloat(1)).isEqualTo("1");
    assertThat(Evaluator.formatFloat(0.1)).isEqualTo("0.1");
    assertThat(Evaluator.formatFloat(1e21)).isEqualTo("1000000000000000000000");
    assertThat(Evaluator.formatFloat(1e-7)).isEqualTo("0.0000001");
    assertThat(Evaluator.formatFloat(Double.NaN)).isEqualTo("NaN");
    assertThat(Evaluator.formatFloat(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
    assertThat(Evaluator.formatFloat(-0.0)).isEqualTo("-0");
  }
}
