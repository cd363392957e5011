package dev.altimeter.api.v2;

import org.springframework.http.server.reactive.ServerHttpRequest;

/** Ceilometer's {@code application_url}: scheme, host, port and the path prefix the request used. */
final class Links {
  private Links() {}

  static String appUrl(ServerHttpRequest request) {
    var uri = request.getURI();
    return uri.getScheme() + "://" + uri.getRawAuthority() + request.getPath().contextPath().value();
  }
}
