package dev.altimeter.api.v2;

import dev.altimeter.storage.TokenStore;
import dev.altimeter.wire.Timestamps;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /v2/admin/tokens}: admin-only management of the bearer tokens of token mode. A token's
 * secret is returned once, by the POST that makes it; only its SHA-256 is stored. A token may carry
 * an {@code expires_at}. The endpoints work in every auth mode (an admin of headers mode can make
 * tokens before switching); token mode also writes a first admin token on first start ({@link
 * AdminTokenFile}).
 */
@RestController
class TokensController {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Set<String> KEYS = Set.of("project_id", "user_id", "roles", "expires_at");
  private final TokenStore tokens;
  private final Clock clock = Clock.systemUTC();

  TokensController(ObjectProvider<TokenStore> tokens) {
    this.tokens = tokens.getIfAvailable();
  }

  @PostMapping(path = "/v2/admin/tokens", produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<ResponseEntity<Map<String, Object>>> create(@RequestBody(required = false) Mono<byte[]> body, Caller caller,
      ServerWebExchange exchange) {
    TokenStore store = authorize(caller, exchange);
    return body.defaultIfEmpty(new byte[0]).flatMap(bytes -> {
      JsonNode root;
      try {
        root = bytes.length == 0 ? null : JSON.readTree(bytes);
      } catch (JacksonException e) {
        throw ApiError.badRequest("Invalid input for field/attribute token. The request body is not valid JSON: "
            + e.getOriginalMessage());
      }
      if (root == null || !root.isObject()) throw ApiError.badRequest("A token {\"project_id\", \"user_id\", \"roles\"} should be included in request body");
      for (String k : root.propertyNames()) {
        if (!KEYS.contains(k)) throw ApiError.badRequest("Unknown attribute for argument token: " + k);
      }
      JsonNode project = root.get("project_id");
      if (project == null || !project.isString() || project.asString().isBlank()) {
        throw ApiError.invalidInput("project_id", root.toString(), "Mandatory field missing.");
      }
      JsonNode user = root.get("user_id");
      if (user != null && !user.isNull() && !user.isString()) throw ApiError.invalidInput("user_id", user.toString(), "a string is expected");
      List<String> roles = new ArrayList<>();
      JsonNode r = root.get("roles");
      if (r != null && !r.isNull()) {
        if (!r.isArray()) throw ApiError.invalidInput("roles", r.toString(), "a list of strings is expected");
        for (JsonNode role : r) {
          if (!role.isString() || role.asString().isBlank()) throw ApiError.invalidInput("roles", r.toString(), "a list of strings is expected");
          roles.add(role.asString().trim());
        }
      }
      Instant now = clock.instant();
      Instant expiresAt = null;
      JsonNode e = root.get("expires_at");
      if (e != null && !e.isNull()) {
        expiresAt = e.isString() ? Timestamps.parseLenient(e.asString()) : null;
        if (expiresAt == null) throw ApiError.invalidInput("expires_at", e.toString(), "invalid timestamp format");
        if (!expiresAt.isAfter(now)) throw ApiError.invalidInput("expires_at", e.asString(), "must be in the future");
      }
      RequestValues.checkText("project_id", project.asString());
      if (user != null && user.isString()) RequestValues.checkText("user_id", user.asString());
      for (String role : roles) RequestValues.checkText("roles", role);
      return TokenIssuer.issue(store, project.asString(), user == null || user.isNull() ? null : user.asString(), roles,
          now, expiresAt).map(issued -> {
            Map<String, Object> out = render(issued.token());
            out.put("token", issued.secret());
            return ResponseEntity.status(HttpStatus.CREATED).body(out);
          });
    });
  }

  @GetMapping(path = "/v2/admin/tokens", produces = MediaType.APPLICATION_JSON_VALUE)
  Flux<Map<String, Object>> list(Caller caller, ServerWebExchange exchange) {
    return authorize(caller, exchange).list().map(TokensController::render);
  }

  @DeleteMapping(path = "/v2/admin/tokens/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<ResponseEntity<Void>> delete(@PathVariable("id") String id, Caller caller, ServerWebExchange exchange) {
    TokenStore store = authorize(caller, exchange);
    UUID uuid;
    try {
      uuid = UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return Mono.error(ApiError.notFound("Token " + id + " Not Found"));
    }
    return store.delete(uuid).map(found -> {
      if (!found) throw ApiError.notFound("Token " + id + " Not Found");
      return ResponseEntity.noContent().build();
    });
  }

  private TokenStore authorize(Caller caller, ServerWebExchange exchange) {
    caller.requireAdmin();
    SimpleQuery.checkArguments(exchange.getRequest().getQueryParams(), Set.of());
    if (tokens == null) throw new ApiError(HttpStatus.NOT_IMPLEMENTED, "No token store configured");
    return tokens;
  }

  private static Map<String, Object> render(TokenStore.Token t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", t.id().toString());
    m.put("project_id", t.projectId());
    m.put("user_id", t.userId());
    m.put("roles", t.roles());
    m.put("created_at", Timestamps.isoformatNaive(t.createdAt()));
    m.put("expires_at", Timestamps.isoformatNaive(t.expiresAt()));
    return m;
  }
}
