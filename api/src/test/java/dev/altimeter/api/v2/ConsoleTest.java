package dev.altimeter.api.v2;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.TestPropertySource;

/**
 * {@code /console}: the page and its assets answer without credentials even in token mode (they hold
 * no data), with their content types and caching headers, while the API they call still wants a token.
 */
@TestPropertySource(properties = "altimeter.api.auth=token")
class ConsoleTest extends PostgresApiTestSupport {
  @Test
  void pageIsPublicAndPointsAtItsAssets() {
    for (String path : new String[] {"/console", "/console/"}) {
      String page = get(path).expectStatus().isOk()
          .expectHeader().contentType("text/html;charset=UTF-8")
          .expectHeader().cacheControl(org.springframework.http.CacheControl.noCache())
          .expectHeader().valueEquals("Content-Security-Policy", ConsoleController.CONTENT_SECURITY_POLICY)
          .expectHeader().valueEquals("X-Content-Type-Options", "nosniff")
          .expectBody(String.class).returnResult().getResponseBody();
      assertThat(page).contains("<base href=\"/\">", "src=\"console/app.js\"", "href=\"console/console.css\"")
          .doesNotContain("<script>", "style=");
    }
  }

  @Test
  void assetsAreServedWithTheirTypesAndRevalidated() {
    String[][] assets = {{"app.js", "text/javascript"}, {"chart.js", "text/javascript"}, {"api.js", "text/javascript"},
        {"combobox.js", "text/javascript"}, {"dom.js", "text/javascript"}, {"console.css", "text/css"},
        {"icon.svg", "image/svg+xml"}};
    for (String[] asset : assets) {
      var result = get("/console/" + asset[0]).expectStatus().isOk()
          .expectHeader().value(HttpHeaders.CONTENT_TYPE, type -> assertThat(type).as(asset[0]).startsWith(asset[1]))
          .expectHeader().valueEquals(HttpHeaders.CACHE_CONTROL, "no-cache")
          .expectHeader().doesNotExist(HttpHeaders.LAST_MODIFIED)
          .expectBody().returnResult();
      String etag = result.getResponseHeaders().getETag();
      assertThat(etag).as(asset[0]).matches("\"[0-9a-f]{32}\"");
      assertThat(result.getResponseBody()).isNotEmpty();
      get("/console/" + asset[0], HttpHeaders.IF_NONE_MATCH, etag).expectStatus().isNotModified();
      get("/console/" + asset[0], HttpHeaders.IF_NONE_MATCH, "\"other\"").expectStatus().isOk();
    }
    // distinct content, distinct ETags
    assertThat(get("/console/app.js").returnResult(byte[].class).getResponseHeaders().getETag())
        .isNotEqualTo(get("/console/chart.js").returnResult(byte[].class).getResponseHeaders().getETag());
  }

  @Test
  void nothingElseBecamePublic() {
    fault(get("/console/missing.js"), 404, "The resource could not be found.");
    fault(get("/console/index.html/x"), 404, "The resource could not be found.");
    // no way out of the assets' folder, to a file or to the API
    for (String path : new String[] {"/console/%2e%2e/openapi.yaml", "/console/..%2fopenapi.yaml",
        "/console/../v2/openapi.yaml", "/console/../v2/meters", "/console/%2e%2e/%2e%2e/v2/meters"}) {
      get(path).expectStatus().value(status -> assertThat(status).as(path).isIn(400, 404));
    }
    // the API the console calls still wants a token
    fault(get("/v2/meters"), 401, "Authentication required");
    fault(get("/v2/meters/cpu/statistics"), 401, "Authentication required");
  }
}
