package dev.altimeter.api.v2;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The query bounds: a query that would read more samples than {@code altimeter.prometheus.max-samples}
 * or select more series than {@code max-series} fails with Prometheus's 422 {@code execution}, and
 * the store's read stops there.
 */
@TestPropertySource(properties = {"altimeter.prometheus.max-samples=2", "altimeter.prometheus.max-series=1"})
class PrometheusLimitsTest extends ApiTestSupport {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  JsonNode body(String path, int status) {
    return JSON.readTree(getQuery(path).expectStatus().isEqualTo(status).expectBody().returnResult().getResponseBody());
  }

  @Test
  void samplesAndSeriesAreBounded() {
    seed(); // 5 cpu samples over 3 resources (r1 has 3, r2 and r3 one each), 1 memory sample
    String at = "&time=" + (S0.getEpochSecond() + 240);
    JsonNode tooMany = body("/api/v1/query?query=ceilometer_cpu{resource_id=\"r1\"}" + at, 422);
    assertThat(tooMany.get("errorType").asString()).isEqualTo("execution");
    assertThat(tooMany.get("error").asString()).contains("too many samples");
    // within the bounds: the memory series, r2's cpu
    assertThat(body("/api/v1/query?query=ceilometer_memory" + at, 200).get("data").get("result")).hasSize(1);
    assertThat(body("/api/v1/query?query=ceilometer_cpu{resource_id=\"r2\"}" + at, 200)
        .get("data").get("result")).hasSize(1);
    // two series (of one sample each) are past max-series
    JsonNode tooManySeries = body("/api/v1/query?query={__name__=~\"ceilometer_.*\",user_id=\"u2\"}" + at, 422);
    assertThat(tooManySeries.get("errorType").asString()).isEqualTo("execution");
    assertThat(tooManySeries.get("error").asString()).contains("more than 1 series");
    assertThat(body("/api/v1/series?match[]={user_id=\"u2\"}&start=0", 422).get("errorType").asString())
        .isEqualTo("execution");
  }
}
