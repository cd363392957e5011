package dev.altimeter.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the evaluator cases in src/test/resources/promql/*.test (Prometheus' test-script format,
 * see {@link PromqlTestScript}); one dynamic test per eval line.
 */
class PromqlScriptTest {

  static final List<String> FILES = List.of("selectors.test", "functions.test", "operators.test",
      "aggregators.test", "subqueries.test");

  @TestFactory
  Stream<DynamicContainer> scripts() throws Exception {
    List<DynamicContainer> files = new ArrayList<>();
    for (String f : FILES) {
      String script;
      try (InputStream in = getClass().getResourceAsStream("/promql/" + f)) {
        script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      files.add(DynamicContainer.dynamicContainer(f, PromqlScriptTest.class.getResource("/promql/" + f).toURI(),
          PromqlTestScript.parse(script).stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> run(c)))));
    }
    return files.stream();
  }

  static void run(PromqlTestScript.Case c) {
    PromQlEngine engine = new PromQlEngine(new InMemorySeriesSource(c.data()), QueryLimits.DEFAULT);
    if (c.fail()) {
      assertThatThrownBy(() -> evaluate(engine, c)).isInstanceOf(QueryException.class);
      return;
    }
    QueryResult r = evaluate(engine, c);
    if (c.scalar() != null) {
      assertThat(r).isInstanceOf(QueryResult.Scalar.class);
      assertClose(((QueryResult.Scalar) r).v(), c.scalar(), "scalar");
      return;
    }
    Map<Labels, double[]> actual = new TreeMap<>();
    if (r instanceof QueryResult.Vector v) {
      v.samples().forEach(s -> actual.put(s.labels(), new double[] {s.v()}));
    } else if (r instanceof QueryResult.Matrix m) {
      m.series().forEach(s -> actual.put(s.labels(), s.vs()));
    } else if (r instanceof QueryResult.Scalar s) {
      actual.put(Labels.EMPTY, new double[] {s.v()});
    }
    assertThat(actual.keySet()).as("labels of " + c.query()).containsExactlyInAnyOrderElementsOf(c.expected().keySet());
    c.expected().forEach((labels, want) -> {
      double[] got = actual.get(labels);
      assertThat(got.length).as("points of " + labels + " " + Arrays.toString(got)).isEqualTo(want.length);
      for (int i = 0; i < want.length; i++) {
        assertClose(got[i], want[i], labels + " point " + i + " of " + Arrays.toString(got));
      }
    });
  }

  private static QueryResult evaluate(PromQlEngine engine, PromqlTestScript.Case c) {
    return c.step() == 0 ? engine.instant(c.query(), c.start()).block()
        : engine.range(c.query(), c.start(), c.end(), c.step()).block();
  }

  private static void assertClose(double got, double want, String what) {
    assertThat(ConformanceQueries.close(got, want)).as(what + ": got " + got + ", want " + want).isTrue();
  }
}
