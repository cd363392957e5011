package dev.altimeter.api.v2;

import dev.altimeter.storage.SampleConsumer;
import dev.altimeter.storage.StoreException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.NotAcceptableStatusException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Renders every error of the API (ours, Spring's 404/405/406/415, unexpected failures) as
 * Ceilometer's fault document. Runs before Spring Boot's default error handler.
 */
@Component
@Order(-2)
class FaultHandler implements WebExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(FaultHandler.class);
  private static final JsonMapper JSON = PythonJson.MAPPER;

  @Override
  public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
    ServerHttpResponse response = exchange.getResponse();
    if (response.isCommitted()) return Mono.error(ex);
    if (ex instanceof NotAcceptableStatusException e) ex = AcceptedTypes.explain(exchange, e);
    HttpStatusCode status;
    String message;
    if (ex instanceof ApiError e) {
      status = e.status();
      message = e.getMessage();
      if (e.challenge() != null) response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, e.challenge());
    } else if (ex instanceof StoreException.InvalidData e) {
      // the request's own values, refused by the store: the caller's to fix, nothing was stored
      status = HttpStatus.BAD_REQUEST;
      message = "Invalid input: " + e.getMessage();
    } else if (ex instanceof StoreException.Unavailable || ex instanceof SampleConsumer.Overloaded) {
      status = HttpStatus.SERVICE_UNAVAILABLE;
      message = ex.getMessage();
      response.getHeaders().set(HttpHeaders.RETRY_AFTER, "1");
    } else if (ex instanceof SampleConsumer.TooLarge e) {
      status = HttpStatus.CONTENT_TOO_LARGE;
      message = e.getMessage();
    } else if (ex instanceof ResponseStatusException e) {
      status = e.getStatusCode();
      message = e.getReason() != null ? e.getReason() : HttpStatus.valueOf(status.value()).getReasonPhrase();
      // webob's words, and no echo of the request URL
      if (status.value() == 404) message = "The resource could not be found.";
      HttpHeaders extra = e.getHeaders();
      response.getHeaders().addAll(extra);
      if (!extra.getAllow().isEmpty()) {
        // Spring collects the methods in a hash set: answer in a stable order
        response.getHeaders().set(HttpHeaders.ALLOW, String.join(",",
            extra.getAllow().stream().map(m -> m.name()).sorted().toList()));
      }
    } else {
      status = HttpStatus.INTERNAL_SERVER_ERROR;
      message = "Internal error: " + ex.getClass().getSimpleName();
      LOG.warn("Request {} {} failed", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), ex);
    }
    return write(response, status, message);
  }

  static Mono<Void> write(ServerHttpResponse response, HttpStatusCode status, String message) {
    byte[] body = document(status, message);
    response.setStatusCode(status);
    response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
    response.getHeaders().setContentLength(body.length);
    DataBuffer buffer = response.bufferFactory().wrap(body);
    return response.writeWith(Mono.just(buffer));
  }

  /** Ceilometer's fault document for this status and faultstring, as UTF-8 JSON. */
  static byte[] document(HttpStatusCode status, String message) {
    Map<String, Object> fault = new LinkedHashMap<>();
    fault.put("faultcode", status.is5xxServerError() ? "Server" : "Client");
    fault.put("faultstring", message);
    fault.put("debuginfo", null);
    return JSON.writeValueAsBytes(Map.of("error_message", fault));
  }
}
