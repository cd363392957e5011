package dev.altimeter.api.v2;

import dev.altimeter.storage.TokenStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
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
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /v2/admin/tokens}: admin-only management of the bearer tokens of token mode. A token's
 * secret is returned once, by the POST that makes it; only its SHA-256 is stored. The endpoints work
 * in headers mode too, so the first admin token can be made before switching to token mode.
 */
@RestController
class TokensController {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final SecureRandom RANDOM = new SecureRandom();
  private final TokenStore tokens;
  private final Clock clock = Clock.systemUTC();

  TokensController(ObjectProvider<TokenStore> tokens) {
    this.tokens = tokens.getIfAvailable();
  }

  @PostMapping(path = "/v2/admin/tokens", produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<ResponseEntity<Map<String, Object>>> create(@RequestBody(required = false) Mono<byte[]> body,
      ServerWebExchange exchange) {
    TokenStore store = authorize(exchange);
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
        if (!Set.of("project_id", "user_id", "roles").contains(k)) throw ApiError.badRequest("Unknown attribute for argument token: " + k);
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
      byte[] secret = new byte[32];
      RANDOM.nextBytes(secret);
      String token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
      var t = new TokenStore.Token(UUID.randomUUID(), project.asString(),
          user == null || user.isNull() ? null : user.asString(), roles, clock.instant());
      return store.create(t, RequestFilter.sha256(token)).then(Mono.fromSupplier(() -> {
        Map<String, Object> out = render(t);
        out.put("token", token);
        return ResponseEntity.status(HttpStatus.CREATED).body(out);
      }));
    });
  }

  @GetMapping(path = "/v2/admin/tokens", produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<List<Map<String, Object>>> list(ServerWebExchange exchange) {
    return authorize(exchange).list().map(TokensController::render).collectList();
  }

  @DeleteMapping(path = "/v2/admin/tokens/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
  Mono<ResponseEntity<Void>> delete(@PathVariable("id") String id, ServerWebExchange exchange) {
    TokenStore store = authorize(exchange);
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

  private TokenStore authorize(ServerWebExchange exchange) {
    SimpleQuery.checkArguments(exchange.getRequest().getQueryParams(), Set.of());
    if (!Caller.of(exchange).admin()) throw new ApiError(HttpStatus.FORBIDDEN, "RBAC Authorization Failed");
    if (tokens == null) throw new ApiError(HttpStatus.NOT_IMPLEMENTED, "No token store configured");
    return tokens;
  }

  private static Map<String, Object> render(TokenStore.Token t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", t.id().toString());
    m.put("project_id", t.projectId());
    m.put("user_id", t.userId());
    m.put("roles", t.roles());
    m.put("created_at", Timestamps.format(t.createdAt()));
    return m;
  }
}
