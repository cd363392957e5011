package dev.altimeter.collector.pipeline.publish;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * POSTs bodies with the JDK {@link HttpClient} used asynchronously ({@code sendAsync}; no thread
 * blocks): per-request {@code timeout} (seconds, default 5), up to {@code max_retries} (default 2)
 * retries after I/O errors, timeouts and 5xx with a short backoff. Any non-2xx final status fails the
 * Mono. Credentials in the URL become HTTP Basic auth. The publisher's own options are removed from
 * the target URL; other query options are kept. Thread-safe.
 */
final class HttpPoster {
  static final class StatusException extends IOException {
    final int status;

    StatusException(int status, String target) {
      super("HTTP " + status + " from " + target);
      this.status = status;
    }
  }

  private final HttpClient client;
  private final URI target;
  private final String display;
  private final Duration timeout;
  private final int maxRetries;
  private final String authorization;

  HttpPoster(PublisherUrl url, String scheme, Set<String> ownOptions) {
    if (url.host() == null) throw new IllegalArgumentException("publisher needs a host: " + url.redacted());
    if (!url.boolOption("verify_ssl", true)) {
      throw new IllegalArgumentException("verify_ssl=false is not supported: " + url.redacted());
    }
    if (!url.option("clientcert", "").isEmpty() || !url.option("clientkey", "").isEmpty()) {
      throw new IllegalArgumentException("clientcert/clientkey are not supported yet: " + url.redacted());
    }
    double seconds = url.doubleOption("timeout", 5);
    if (seconds <= 0) throw new IllegalArgumentException("timeout must be > 0: " + url.redacted());
    this.timeout = Duration.ofMillis((long) (seconds * 1000));
    this.maxRetries = url.intOption("max_retries", 2);
    if (maxRetries < 0) throw new IllegalArgumentException("max_retries must not be negative: " + url.redacted());
    StringJoiner query = new StringJoiner("&");
    for (Map.Entry<String, List<String>> e : url.query().entrySet()) {
      if (ownOptions.contains(e.getKey())) continue;
      for (String v : e.getValue()) query.add(encode(e.getKey()) + (v.isEmpty() ? "" : "=" + encode(v)));
    }
    String host = url.host().contains(":") ? "[" + url.host() + "]" : url.host();
    String uri = scheme + "://" + host + (url.port() >= 0 ? ":" + url.port() : "") + url.path()
        + (query.length() > 0 ? "?" + query : "");
    this.target = URI.create(uri);
    this.display = scheme + "://" + host + (url.port() >= 0 ? ":" + url.port() : "") + url.path();
    this.authorization = url.userInfo() == null ? null
        : "Basic " + Base64.getEncoder().encodeToString(url.userInfo().getBytes(StandardCharsets.UTF_8));
    this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  private static String encode(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  URI target() {
    return target;
  }

  Mono<Void> post(byte[] body, String contentType) {
    return post(target, body, contentType);
  }

  Mono<Void> post(URI uri, byte[] body, String contentType) {
    return Mono.defer(() -> {
      HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(timeout)
          .header("Content-Type", contentType)
          .POST(HttpRequest.BodyPublishers.ofByteArray(body));
      if (authorization != null) req.header("Authorization", authorization);
      return Mono.fromFuture(() -> client.sendAsync(req.build(), HttpResponse.BodyHandlers.discarding()));
    }).flatMap(resp -> {
      int status = resp.statusCode();
      if (status >= 200 && status < 300) return Mono.<Void>empty();
      return Mono.<Void>error(new StatusException(status, display));
    }).retryWhen(Retry.backoff(maxRetries, Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(2))
        .filter(HttpPoster::retryable)
        .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
  }

  private static boolean retryable(Throwable e) {
    if (e instanceof StatusException s) return s.status >= 500;
    return e instanceof IOException || e instanceof java.net.http.HttpTimeoutException
        || e.getCause() instanceof IOException;
  }

  void close() {
    // JDK 17's HttpClient has no close(); its threads end when it is unreachable.
  }
}
