package dev.altimeter.api.v2;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

/**
 * The 201 echo of {@code POST /v2/meters/{name}}, byte for byte: key order, separators, number and
 * time formats, escapes, flattened metadata. Pinned as the answer was before it was written without
 * maps (clients and scripts compare such text), so any change to how it is written shows here.
 */
class PostEchoBytesTest extends ApiTestSupport {
  private static final String BODY = """
      [{"counter_name": "m", "counter_type": "gauge", "counter_unit": "B", "counter_volume": 10,
        "resource_id": "r1", "user_id": "u1", "project_id": "p1", "source": "src",
        "timestamp": "2024-01-02T03:04:05.123456Z",
        "resource_metadata": {"flavor.name": "m1.small", "flavor": {"ram": 2048, "disk": 1.5}, "vcpus": 2,
          "tags": ["a", "it's", null, true, 2.5], "ok": false, "none": null, "tiny": 0.00001, "big": 1e20,
          "empty": {}, "emptyList": [], "text": "quote \\" slash \\\\ tab \\t nl \\n ctl \\u0001 </x> é 雪 😀",
          "a": {"b": {"c.d": "deep"}}}},
       {"counter_name": "m", "counter_type": "delta", "counter_unit": "%", "counter_volume": "1.5",
        "resource_id": "r2", "timestamp": "2024-01-02t03:04:05z"},
       {"counter_name": "m", "counter_type": "cumulative", "counter_unit": "ns", "counter_volume": 1e20,
        "resource_id": "r3", "project_id": "p3", "timestamp": " 2024-01-02 03:04:05.5+02:00 "},
       {"counter_name": "m", "counter_type": "gauge", "counter_unit": "B", "counter_volume": -0.0,
        "resource_id": "r4", "timestamp": "2024-01-02T03:04:05.000000001+0130", "resource_metadata": {}},
       {"counter_name": "m", "counter_type": "gauge", "counter_unit": "B", "counter_volume": 0.1,
        "resource_id": "r5", "timestamp": "0999-12-31T23:59:59.999999", "resource_metadata": {"x": 12345678901234567890}}]""";

  /** The echo of {@link #BODY}, message ids replaced by {@code ID}: a file, so its bytes are exactly the answer's. */
  private static final String ECHO = "post-echo.golden.json";

  @Test
  void theEchoIsByteForByteAsBefore() {
    byte[] body = post("/v2/meters/m", BODY, "X-User-Id", "hu", "X-Project-Id", "hp", "X-Roles", "admin")
        .expectStatus().isCreated()
        .expectHeader().contentType(MediaType.APPLICATION_JSON)
        .expectBody().returnResult().getResponseBodyContent();
    String echo = new String(body, StandardCharsets.UTF_8);
    // message ids are random UUIDs; everything else is fixed by the body
    assertThat(echo.replaceAll("\"message_id\": \"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\"",
        "\"message_id\": \"ID\"")).isEqualTo(golden());
  }

  /**
   * The echo is in UTF-8, also when {@code Accept} names it; a POST asking for JSON in any other
   * charset (US-ASCII too: Spring wrote UTF-8 under that label) is refused with 406 before its samples are
   * read, so nothing is stored (before: a charset that is no JSON encoding was stored, then 500,
   * since Spring had no encoder for it). No JSON type, or an Accept header that cannot be parsed, is
   * refused by Spring's mapping. A wildcard type, or JSON among other types, is answered as JSON.
   */
  @Test
  void anAnswerThatCannotBeWrittenIsRefusedBeforeAnythingIsStored() {
    for (String charset : new String[] {"UTF-8", "utf-8"}) {
      var result = post("/v2/meters/m", BODY, "X-User-Id", "hu", "X-Project-Id", "hp", "X-Roles", "admin",
          "Accept", "application/json;charset=" + charset)
          .expectStatus().isCreated()
          .expectHeader().contentType("application/json;charset=" + charset)
          .expectBody().returnResult();
      String echo = new String(result.getResponseBodyContent(), StandardCharsets.UTF_8);
      assertThat(echo.replaceAll("\"message_id\": \"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\"",
          "\"message_id\": \"ID\"")).as(charset).isEqualTo(golden());
    }
    String body = BODY.replace("\"m\"", "\"nothing\"");
    String[] headers = {"X-User-Id", "hu", "X-Project-Id", "hp", "X-Roles", "admin", "Accept", null};
    for (String charset : new String[] {"ISO-8859-1", "UTF-16", "UTF-16LE", "UTF-32BE", "windows-1252", "US-ASCII"}) {
      headers[7] = "application/json;charset=" + charset;
      fault(post("/v2/meters/nothing", body, headers), 406, "Not Acceptable: the answer is JSON in UTF-8, not " + charset);
    }
    // no JSON type: Spring's mapping refuses it (produces); an Accept header that cannot be parsed
    // (Spring's parser also refuses a charset Java does not know): refused before routing
    headers[7] = "text/html";
    fault(post("/v2/meters/nothing", body, headers), 406, "Could not find acceptable representation");
    for (String accept : new String[] {"application/json;charset=no-such-charset", "garbage/"}) {
      headers[7] = accept;
      fault(post("/v2/meters/nothing", body, headers), 406, "Not Acceptable: the Accept header cannot be parsed");
    }
    get("/v2/meters/nothing", "X-Roles", "admin").expectStatus().isOk().expectBody(String.class).isEqualTo("[]");
    for (String accept : new String[] {"*/*;charset=ISO-8859-1", "text/html, application/json", "application/*"}) {
      post("/v2/meters/m", BODY, "X-User-Id", "hu", "X-Project-Id", "hp", "X-Roles", "admin", "Accept", accept)
          .expectStatus().isCreated().expectHeader().contentType(MediaType.APPLICATION_JSON);
    }
  }

  private static String golden() {
    try (var in = PostEchoBytesTest.class.getResourceAsStream(ECHO)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
