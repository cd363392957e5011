package dev.altimeter.api.v2;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;

/** Content negotiation, methods, unknown paths, CORS and capabilities. */
@TestPropertySource(properties = "altimeter.api.cors.allowed-origins=http://dashboard.example, http://grafana.example")
class HttpBehaviourTest extends ApiTestSupport {

  @Test
  void contentNegotiation() {
    fault(get("/v2/meters", "Accept", "text/plain"), 406, "Could not find acceptable representation");
    get("/v2/meters", "Accept", "text/plain, application/json; q=0.8").expectStatus().isOk()
        .expectHeader().contentType(MediaType.APPLICATION_JSON);
    fault(get("/v2/meters", "Accept", "text/plain, application/binary; q=0.8"), 406,
        "Could not find acceptable representation");
    get("/v2/resources", "Accept", "*/*").expectStatus().isOk().expectHeader().contentType(MediaType.APPLICATION_JSON);
    get("/v2/capabilities", "Accept", "application/*").expectStatus().isOk();
  }

  /**
   * Answers are JSON in UTF-8: JSON asked for in another charset is 406 in the fault shape, on every
   * route, before the handler runs (it was 500 once Spring found no encoder for ISO-8859-1, and
   * listings in UTF-16 or UTF-32 were not valid JSON: their brackets and commas were single bytes).
   */
  @Test
  void jsonInAnotherCharsetThanUtf8IsNotAcceptable() {
    for (String path : new String[] {"/v2/meters", "/v2/resources", "/v2/meters/cpu/statistics", "/v2/capabilities",
        "/v2/resources/nothing", "/v2/samples", "/api/v1/labels"}) {
      for (String charset : new String[] {"ISO-8859-1", "UTF-16LE", "UTF-32"}) {
        fault(get(path, "Accept", "application/json;charset=" + charset, "X-Roles", "admin"), 406,
            "Not Acceptable: the answer is JSON in UTF-8, not " + charset);
      }
      // (404 for the unknown resource, its fault without the charset)
      get(path, "Accept", "application/json;charset=utf-8", "X-Roles", "admin")
          .expectStatus().value(status -> org.assertj.core.api.Assertions.assertThat(status).as(path).isIn(200, 404))
          .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON);
    }
    // the type Spring answers with decides: UTF-8 preferred over a charset it would not pick
    get("/v2/meters", "Accept", "application/json;charset=UTF-8, application/json;charset=UTF-16;q=0.5")
        .expectStatus().isOk();
    // US-ASCII: Spring wrote UTF-8 bytes under that label
    fault(get("/v2/meters", "Accept", "application/json;charset=us-ascii"), 406,
        "Not Acceptable: the answer is JSON in UTF-8, not US-ASCII");
    // OPTIONS answers no body to negotiate
    http.options().uri("/v2/meters").header("Accept", "application/json;charset=ISO-8859-1").exchange()
        .expectStatus().isOk();
  }

  /**
   * The charset rule is about the JSON an answer would be in: a route answering something else (the
   * console's HTML, the OpenAPI document's YAML) serves it whatever JSON the Accept header also names;
   * the same header on a JSON route is refused as above. It was 406 on every route, and so was JSON in
   * another charset preferred to a wildcard.
   */
  @Test
  void jsonInAnotherCharsetDoesNotRefuseAnAnswerThatIsNotJson() {
    get("/console", "Accept", "text/html, application/json;charset=latin1").expectStatus().isOk()
        .expectHeader().contentType("text/html;charset=UTF-8");
    get(OpenApiController.PATH, "Accept", "application/yaml, application/json;charset=latin1").expectStatus().isOk()
        .expectHeader().contentTypeCompatibleWith("application/yaml");
    fault(get("/v2/meters", "Accept", "text/html, application/json;charset=latin1"), 406,
        "Not Acceptable: the answer is JSON in UTF-8, not ISO-8859-1");
    // such a type is left out, not a refusal: JSON accepted otherwise is answered, in UTF-8
    get("/v2/meters", "Accept", "application/json;charset=UTF-16, */*;q=0.1").expectStatus().isOk()
        .expectHeader().contentType(MediaType.APPLICATION_JSON);
  }

  /**
   * An Accept that cannot be parsed is 406 on every route, before routing; one naming no type (empty,
   * or only commas) is read as no Accept at all.
   */
  @Test
  void anAcceptThatCannotBeParsedIsNotAcceptableAndAnEmptyOneIsNone() {
    for (String path : List.of("/v2/meters", "/console", OpenApiController.PATH)) {
      fault(get(path, "Accept", "application/"), 406, "Not Acceptable: the Accept header cannot be parsed");
      get(path, "Accept", "").expectStatus().isOk();
      get(path, "Accept", ",,,").expectStatus().isOk();
    }
  }

  /** Spring's negotiation throws past 50 accepted types (uncaught: 500 on every route); refused first. */
  @Test
  void anAcceptOfMoreThanFiftyTypesIsNotAcceptable() {
    String fifty = String.join(", ", java.util.Collections.nCopies(50, "application/json"));
    get("/v2/meters", "Accept", fifty).expectStatus().isOk();
    for (String path : new String[] {"/v2/meters", "/v2/capabilities", "/api/v1/labels", "/console"}) {
      fault(get(path, "Accept", fifty + ", */*"), 406, "Not Acceptable: the Accept header may name at most 50 media types");
    }
    // OPTIONS too: Spring sorts them when it answers an OPTIONS no route maps (was 500)
    for (String path : new String[] {"/v2/meters", "/v2/nothing", "/"}) {
      fault(http.options().uri(path).header("Accept", fifty + ", */*").exchange(), 406,
          "Not Acceptable: the Accept header may name at most 50 media types");
    }
  }

  @Test
  void bodiesMustBeJson() {
    http.post().uri("/v2/meters/cpu").contentType(MediaType.TEXT_PLAIN).bodyValue("[]").exchange()
        .expectStatus().isEqualTo(415).expectHeader().contentType(MediaType.APPLICATION_JSON)
        .expectBody().jsonPath("$.error_message.faultcode").isEqualTo("Client")
        .jsonPath("$.error_message.faultstring").isEqualTo("Content type 'text/plain' not supported");
    http.post().uri("/v2/query/samples").contentType(MediaType.APPLICATION_XML).bodyValue("<q/>").exchange()
        .expectStatus().isEqualTo(415);
    // a GET with a body that is not JSON, as POST (WSME reads arguments from a GET's body too)
    http.method(HttpMethod.GET).uri("/v2/samples").contentType(MediaType.TEXT_PLAIN).bodyValue("q=1").exchange()
        .expectStatus().isEqualTo(415).expectBody().jsonPath("$.error_message.faultcode").isEqualTo("Client");
    // a GET without a body may say what it likes
    http.get().uri("/v2/samples").header("Content-Type", "text/plain").exchange().expectStatus().isOk();
  }

  @Test
  void jsonIsRenderedAsPythonsJsonDumps() {
    String versions = get("/").expectStatus().isOk().expectHeader().valueEquals("Content-Type", "application/json")
        .expectBody(String.class).returnResult().getResponseBody();
    org.assertj.core.api.Assertions.assertThat(versions).contains("\"base\": \"application/json\"")
        .contains("}, {").doesNotContain("\n");
    String fault = get("/v2/samples?limit=0").expectStatus().isBadRequest()
        .expectHeader().valueEquals("Content-Type", "application/json")
        .expectBody(String.class).returnResult().getResponseBody();
    org.assertj.core.api.Assertions.assertThat(fault).isEqualTo("{\"error_message\": {\"faultcode\": \"Client\","
        + " \"faultstring\": \"Limit must be positive\", \"debuginfo\": null}}");
    org.assertj.core.api.Assertions.assertThat(get("/v2/samples").expectBody(String.class).returnResult()
        .getResponseBody()).isEqualTo("[]");
  }

  @Test
  void aTrailingSlashRoutesLikeNone() {
    seed();
    for (String path : new String[] {"/v2/meters/", "/v2/meters/cpu/", "/v2/samples/", "/v2/resources/",
        "/v2/resources/r1/", "/v2/meters/cpu/statistics/", "/v2/capabilities/", "/v2/events/"}) {
      get(path, "X-User-Id", "u1", "X-Project-Id", "p1").expectStatus().isOk();
    }
  }

  @Test
  void wrongMethodsAndUnknownPaths() {
    for (String path : new String[] {"/v2/resources", "/v2/resources/r1", "/v2/meters/cpu/statistics", "/v2/capabilities",
        "/v2/samples"}) {
      http.method(HttpMethod.PUT).uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue("{}").exchange()
          .expectStatus().isEqualTo(405).expectHeader().valueEquals("Allow", "GET")
          .expectHeader().contentType(MediaType.APPLICATION_JSON)
          .expectBody().jsonPath("$.error_message.faultcode").isEqualTo("Client");
    }
    http.delete().uri("/v2/meters/cpu").exchange().expectStatus().isEqualTo(405)
        .expectHeader().valueEquals("Allow", "GET,POST");
    fault(get("/v2/nothing"), 404, "The resource could not be found.");
    fault(get("/v2/meters/cpu/statistics/more"), 404, "The resource could not be found.");
  }

  @Test
  void cors() {
    http.options().uri("/v2/meters").header(HttpHeaders.ORIGIN, "http://dashboard.example")
        .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "GET")
        .header(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS, "X-Auth-Token").exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "http://dashboard.example")
        .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, "GET,POST,DELETE");
    get("/v2/meters", HttpHeaders.ORIGIN, "http://grafana.example").expectStatus().isOk()
        .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "http://grafana.example");
    http.options().uri("/v2/meters").header(HttpHeaders.ORIGIN, "http://evil.example")
        .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "GET").exchange()
        .expectStatus().isOk().expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN);
    // a disallowed origin gets its normal answer, without CORS headers (oslo.middleware)
    get("/v2/meters", HttpHeaders.ORIGIN, "http://evil.example").expectStatus().isOk()
        .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN);
  }

  @Test
  void capabilities() {
    get("/v2/capabilities").expectStatus().isOk().expectHeader().contentType(MediaType.APPLICATION_JSON)
        .expectBody().json("""
        {"api": {"meters:query:simple": true, "meters:query:metadata": true, "resources:query:simple": true,
          "resources:query:metadata": true, "samples:query:simple": true, "samples:query:metadata": true,
          "samples:query:complex": true, "statistics:groupby": true, "statistics:query:simple": true,
          "statistics:query:metadata": true, "statistics:aggregation:standard": true,
          "statistics:aggregation:selectable:max": true, "statistics:aggregation:selectable:min": true,
          "statistics:aggregation:selectable:sum": true, "statistics:aggregation:selectable:avg": true,
          "statistics:aggregation:selectable:count": true, "statistics:aggregation:selectable:stddev": true,
          "statistics:aggregation:selectable:cardinality": true,
          "statistics:aggregation:selectable:quartile": false, "events:query:simple": true},
         "storage": {"storage:production_ready": true},
         "event_storage": {"storage:production_ready": true}}""", true);
    fault(get("/v2/capabilities?x=1"), 400, "Unknown argument: \"x\"");
  }
}
