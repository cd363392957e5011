package dev.altimeter.api.v2;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/** {@code altimeter.api.prefix}: the API is served under the prefix too, and links carry it. */
@TestPropertySource(properties = "altimeter.api.prefix=/telemetry/")
class PrefixTest extends ApiTestSupport {
  @BeforeEach
  void data() {
    seed();
  }

  @Test
  void linksCarryThePrefix() {
    String base = "http://localhost:" + port + "/telemetry";
    get("/telemetry/v2/resources/r2").expectStatus().isOk().expectBody()
        .jsonPath("$.links[0].href").isEqualTo(base + "/v2/resources/r2")
        .jsonPath("$.links[1].href").isEqualTo(base + "/v2/meters/cpu?q.field=resource_id&q.value=r2");
    get("/telemetry/").expectStatus().isOk().expectBody()
        .jsonPath("$.versions.values[0].links[0].href").isEqualTo(base + "/v2");
    get("/telemetry/v2/meters/cpu/statistics").expectStatus().isOk().expectBody().jsonPath("$[0].count").isEqualTo(5);
    // unprefixed paths keep working, with unprefixed links
    get("/v2/resources/r2").expectStatus().isOk().expectBody()
        .jsonPath("$.links[0].href").isEqualTo("http://localhost:" + port + "/v2/resources/r2");
    fault(get("/telemetry/v2/nothing"), 404, "The resource could not be found.");
  }

  @Test
  void theConsoleLinksUnderThePrefix() {
    // its scripts and API calls are relative to <base>: under the prefix they stay under it
    get("/telemetry/console").expectStatus().isOk().expectBody(String.class)
        .value(page -> org.assertj.core.api.Assertions.assertThat(page).contains("<base href=\"/telemetry/\">"));
    get("/telemetry/console/app.js").expectStatus().isOk();
    get("/console").expectStatus().isOk().expectBody(String.class)
        .value(page -> org.assertj.core.api.Assertions.assertThat(page).contains("<base href=\"/\">"));
  }
}
