package dev.altimeter.api.v2;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v2/openapi.yaml}: the hand-written OpenAPI description, read once from the classpath. */
@RestController
class OpenApiController {
  static final String PATH = "/v2/openapi.yaml";
  static final MediaType YAML = MediaType.parseMediaType("application/yaml");
  private final byte[] document;

  OpenApiController() {
    try (InputStream in = OpenApiController.class.getResourceAsStream("/dev/altimeter/api/openapi.yaml")) {
      if (in == null) throw new IllegalStateException("openapi.yaml is missing from the classpath");
      document = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Public
  @GetMapping(path = PATH, produces = {"application/yaml", "text/yaml", "text/plain"})
  ResponseEntity<byte[]> openapi() {
    return ResponseEntity.ok().contentType(YAML).body(document);
  }
}
