package dev.altimeter.api.v2;

import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /}: the version document. */
@RestController
class VersionsController {
  @Public
  @GetMapping(path = "/", produces = MediaType.APPLICATION_JSON_VALUE)
  Map<String, Object> versions(ServerHttpRequest request) {
    String base = Links.appUrl(request);
    return Map.of("versions", Map.of("values", List.of(Map.of(
        "id", "v2",
        "status", "stable",
        "updated", "2013-02-13T00:00:00Z",
        "links", List.of(Map.of("href", base + "/v2", "rel", "self"),
            Map.of("href", "http://docs.openstack.org/", "rel", "describedby", "type", "text/html")),
        "media-types", List.of(
            Map.of("base", "application/json", "type", "application/vnd.openstack.telemetry-v2+json"),
            Map.of("base", "application/xml", "type", "application/vnd.openstack.telemetry-v2+xml"))))));
  }
}
