package dev.altimeter.api.v2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.storage.TestPostgres;
import dev.altimeter.storage.TokenStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.json.JsonMapper;

/** {@code altimeter.api.auth=token}: bearer tokens stored hashed, headers ignored, 401 without a valid token. */
@TestPropertySource(properties = "altimeter.api.auth=token")
class TokenModeTest extends PostgresApiTestSupport {
  static final String ADMIN_TOKEN = "admin-secret-token";
  static final String[] ADMIN = {HttpHeaders.AUTHORIZATION, "Bearer " + ADMIN_TOKEN};

  @BeforeEach
  void data() {
    seed();
    TestPostgres.storage().tokens().create(new TokenStore.Token(UUID.randomUUID(), "admin-project", "root",
        List.of("admin"), Instant.now()), TokenIssuer.sha256(ADMIN_TOKEN)).block(Duration.ofSeconds(10));
  }

  @Test
  void requestsWithoutAValidTokenAre401() {
    fault(get("/v2/samples"), 401, "Authentication required");
    get("/v2/samples").expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
    get("/v2/samples", HttpHeaders.AUTHORIZATION, "Bearer wrong").expectHeader()
        .valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
    get("/v2/samples", ADMIN).expectStatus().isOk().expectHeader().doesNotExist(HttpHeaders.WWW_AUTHENTICATE);
    // identity headers are not trusted in token mode
    fault(get("/v2/samples", "X-User-Id", "u", "X-Project-Id", "p1", "X-Roles", "admin"), 401, "Authentication required");
    fault(get("/v2/samples", HttpHeaders.AUTHORIZATION, "Bearer wrong"), 401, "Invalid token");
    fault(get("/v2/meters/cpu/statistics", "X-Auth-Token", "wrong"), 401, "Invalid token");
    fault(post("/v2/query/samples", "{}"), 401, "Authentication required");
    // the version document needs no token
    get("/").expectStatus().isOk();
  }

  @Test
  void tokensCarryProjectAndRoles() {
    get("/v2/samples", ADMIN).expectStatus().isOk().expectBody().jsonPath("$.length()").isEqualTo(6);
    var made = post("/v2/admin/tokens", "{\"project_id\": \"p2\", \"user_id\": \"u2\", \"roles\": [\"member\"]}", ADMIN)
        .expectStatus().isCreated().expectBody(String.class).returnResult().getResponseBody();
    Map<String, Object> token = JsonMapper.builder().build().readValue(made,
        new tools.jackson.core.type.TypeReference<Map<String, Object>>() {});
    assertThat(token).containsEntry("project_id", "p2").containsEntry("user_id", "u2")
        .containsEntry("roles", List.of("member")).containsKeys("id", "token", "created_at");
    String member = (String) token.get("token");
    assertThat(member).hasSizeGreaterThanOrEqualTo(40);

    // the member token sees its project only, whatever headers say
    get("/v2/samples", HttpHeaders.AUTHORIZATION, "Bearer " + member, "X-Project-Id", "p1", "X-Roles", "admin")
        .expectStatus().isOk().expectBody().jsonPath("$[*].volume").isEqualTo(List.of(8.0));
    get("/v2/resources", "X-Auth-Token", member).expectStatus().isOk().expectBody()
        .jsonPath("$[*].resource_id").isEqualTo(List.of("r2"));
    fault(get("/v2/samples?q.field=project&q.value=p1", HttpHeaders.AUTHORIZATION, "Bearer " + member), 401,
        "Not Authorized to access project p1");
    // only admins manage tokens
    fault(post("/v2/admin/tokens", "{\"project_id\": \"p2\"}", HttpHeaders.AUTHORIZATION, "Bearer " + member), 403,
        "RBAC Authorization Failed");
    fault(get("/v2/admin/tokens", HttpHeaders.AUTHORIZATION, "Bearer " + member), 403, "RBAC Authorization Failed");

    // listed without secrets; deleted tokens stop working
    get("/v2/admin/tokens", ADMIN).expectStatus().isOk().expectBody()
        .jsonPath("$.length()").isEqualTo(2).jsonPath("$[1].id").isEqualTo(token.get("id"))
        .jsonPath("$[1].token").doesNotExist();
    var delete = http.delete().uri("/v2/admin/tokens/" + token.get("id"));
    for (int i = 0; i < ADMIN.length; i += 2) delete = delete.header(ADMIN[i], ADMIN[i + 1]);
    delete.exchange().expectStatus().isNoContent();
    fault(get("/v2/samples", HttpHeaders.AUTHORIZATION, "Bearer " + member), 401, "Invalid token");
    var again = http.delete().uri("/v2/admin/tokens/" + token.get("id")).header(ADMIN[0], ADMIN[1]).exchange();
    fault(again, 404, "Token " + token.get("id") + " Not Found");
  }

  @Test
  void tokenCreationErrors() {
    fault(post("/v2/admin/tokens", "{}", ADMIN), 400,
        "Invalid input for field/attribute project_id. Value: '{}'. Mandatory field missing.");
    fault(post("/v2/admin/tokens", "{\"project_id\": \"p\", \"roles\": \"admin\"}", ADMIN), 400,
        "Invalid input for field/attribute roles. Value: '\"admin\"'. a list of strings is expected");
    fault(post("/v2/admin/tokens", "{\"project_id\": \"p\", \"scope\": 1}", ADMIN), 400,
        "Unknown attribute for argument token: scope");
    fault(post("/v2/admin/tokens", "{\"project_id\": \"p\\u0000\"}", ADMIN), 400,
        "Invalid input for field/attribute project_id. Value: 'p\\u0000'. must be Unicode text without NUL characters");
    fault(post("/v2/admin/tokens", "{\"project_id\": \"p\", \"expires_at\": \"2001-01-01T00:00:00\"}", ADMIN), 400,
        "Invalid input for field/attribute expires_at. Value: '2001-01-01T00:00:00'. must be in the future");
  }
}
