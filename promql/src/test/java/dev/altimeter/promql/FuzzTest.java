package dev.altimeter.promql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bad input never makes an internal error: random token soups and mutations of valid queries are
 * answered or refused with a QueryException other than INTERNAL (the API's 500). Deterministic
 * seeds; a failure prints the query.
 */
class FuzzTest {

  static final String[] TOKENS = {"foo", "bar", "http_requests_total", "queue_depth", "{", "}", "(", ")", "[", "]",
      ",", ":", "=", "!=", "=~", "!~", "==", ">", "<", ">=", "<=", "+", "-", "*", "/", "%", "^", "and", "or",
      "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "sum", "avg",
      "topk", "quantile", "count_values", "rate", "label_replace", "absent", "scalar", "vector", "time",
      "round", "clamp", "deriv", "max_over_time", "5m", "1h", "30s", "0s", "1", "0.5", "-1", "1e400", "NaN",
      "Inf", "0x10", "\"job\"", "\"(.*)\"", "'x'", "`$1`", "\"\\\\\"", "job", "instance", "@", "#", "\"unterminated",
      "1y2w3d4h5m6s7ms", "1h1h", "5x", ".5", "::", "_", "le"};

  static final String MUTATIONS = "(){}[],:=!~+-*/^\"' 0a";

  PromQlEngine engine = new PromQlEngine(new InMemorySeriesSource(ConformanceData.generate(3)), QueryLimits.DEFAULT);

  @Test
  void tokenSoupsAreRefusedCleanly() {
    Random r = new Random(1);
    List<String> queries = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      StringBuilder q = new StringBuilder();
      int n = 1 + r.nextInt(12);
      for (int k = 0; k < n; k++) {
        q.append(TOKENS[r.nextInt(TOKENS.length)]).append(r.nextBoolean() ? " " : "");
      }
      queries.add(q.toString());
    }
    check(queries);
  }

  @Test
  void mutatedQueriesAreRefusedCleanly() {
    Random r = new Random(2);
    List<String> valid = ConformanceQueries.templates(new Random(7));
    valid.addAll(ConformanceQueries.composed(new Random(11), 100));
    List<String> queries = new ArrayList<>();
    for (String v : valid) {
      for (int k = 0; k < 6; k++) {
        StringBuilder q = new StringBuilder(v);
        int edits = 1 + r.nextInt(3);
        for (int e = 0; e < edits && q.length() > 0; e++) {
          int at = r.nextInt(q.length());
          switch (r.nextInt(3)) {
            case 0 -> q.deleteCharAt(at);
            case 1 -> q.insert(at, TOKENS[r.nextInt(TOKENS.length)]);
            default -> q.setCharAt(at, MUTATIONS.charAt(r.nextInt(MUTATIONS.length())));
          }
        }
        queries.add(q.toString());
      }
    }
    check(queries);
  }

  private void check(List<String> queries) {
    int answered = 0;
    for (String q : queries) {
      for (int kind = 0; kind < 2; kind++) {
        try {
          if (kind == 0) {
            engine.instant(q, ConformanceData.T0 + 3_600_000).block();
          } else {
            engine.range(q, ConformanceData.T0, ConformanceData.T0 + 1_800_000, 60_000).block();
          }
          answered++;
        } catch (QueryException e) {
          assertThat(e.type()).as("%s -> %s", q, e.getMessage()).isNotEqualTo(QueryException.ErrorType.INTERNAL);
        } catch (RuntimeException e) {
          throw new AssertionError("not a QueryException for " + q, e);
        }
      }
    }
    System.out.printf("fuzz: %d queries, %d answers%n", queries.size(), answered);
    assertThat(answered).isPositive();
  }
}
