package dev.altimeter.api.v2;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/**
 * {@code GET /console}: the browser console's page. It holds no data: its scripts (served from
 * {@code /console/*} by {@link ApiWebFluxConfiguration}) call the API with the user's own credentials,
 * so the page and its assets are public while every number it shows went through {@link Caller}.
 *
 * <p>The page's {@code <base href>} is the request's context path (the configured prefix, or none),
 * so its relative links reach the assets and the API under a prefix too, and whether the browser
 * asked for {@code /console} or {@code /console/}.
 */
@RestController
class ConsoleController {
  static final String PATH = "/console";
  /** Where the page and its assets live on the classpath. */
  static final String LOCATION = "classpath:/dev/altimeter/api/console/";
  /** Scripts, styles and connections to this origin only: the page keeps a token in sessionStorage. */
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
      + " img-src 'self'; connect-src 'self'; base-uri 'self'; form-action 'none'; frame-ancestors 'none'";
  private static final String BASE = "<base href=\"/\">";
  private final String page;

  ConsoleController() {
    try (InputStream in = ConsoleController.class.getResourceAsStream("/dev/altimeter/api/console/index.html")) {
      if (in == null) throw new IllegalStateException("console/index.html is missing from the classpath");
      page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!page.contains(BASE)) throw new IllegalStateException("console/index.html has no " + BASE);
  }

  @Public
  @GetMapping(path = PATH)
  ResponseEntity<String> console(ServerHttpRequest request) {
    String base = HtmlUtils.htmlEscape(request.getPath().contextPath().value() + "/");
    return ResponseEntity.ok()
        .contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
        .cacheControl(CacheControl.noCache())
        .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .header("X-Content-Type-Options", "nosniff")
        .header("Referrer-Policy", "no-referrer")
        .body(page.replace(BASE, "<base href=\"" + base + "\">"));
  }
}
