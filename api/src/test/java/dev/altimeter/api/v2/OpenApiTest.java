package dev.altimeter.api.v2;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;
import org.yaml.snakeyaml.Yaml;

/** {@code GET /v2/openapi.yaml} parses and describes every route the API serves, and no other. */
class OpenApiTest extends ApiTestSupport {
  @Autowired
  RequestMappingHandlerMapping mappings;

  @Test
  @SuppressWarnings("unchecked")
  void describesEveryRoute() {
    byte[] body = get("/v2/openapi.yaml").expectStatus().isOk()
        .expectHeader().contentType("application/yaml")
        .expectBody().returnResult().getResponseBody();
    Map<String, Object> doc = new Yaml().load(new String(body, java.nio.charset.StandardCharsets.UTF_8));
    assertThat(doc.get("openapi")).isEqualTo("3.0.3");
    Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) doc.get("paths");

    Set<String> documented = new TreeSet<>();
    paths.forEach((path, item) -> item.keySet().stream().filter(k -> !k.equals("parameters"))
        .forEach(method -> documented.add(method.toUpperCase() + " " + path)));
    Set<String> served = new TreeSet<>();
    mappings.getHandlerMethods().forEach((info, method) -> {
      if (!method.getBeanType().getPackageName().equals(OpenApiTest.class.getPackageName())) return;
      for (var pattern : info.getPatternsCondition().getPatterns()) {
        for (var m : info.getMethodsCondition().getMethods()) served.add(m.name() + " " + pattern.getPatternString());
      }
    });
    assertThat(served).hasSizeGreaterThan(15);
    assertThat(documented).isEqualTo(served);
  }
}
