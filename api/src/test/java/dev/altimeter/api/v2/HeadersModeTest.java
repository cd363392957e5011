package dev.altimeter.api.v2;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * {@code altimeter.api.auth=headers}: the identity headers of an authenticating proxy are trusted,
 * and nothing else is an identity: no headers, blank ones, or keystonemiddleware's {@code
 * X-Identity-Status: Invalid} are 401, never an admin. Writes follow the rule of reads.
 */
@TestPropertySource(properties = "altimeter.api.auth=headers")
class HeadersModeTest extends ApiTestSupport {
  private static final String SAMPLE = "[{\"counter_name\": \"cpu\", \"counter_type\": \"gauge\", \"counter_unit\": \"ns\","
      + " \"counter_volume\": 1, \"resource_id\": \"r9\", \"project_id\": \"p2\"}]";

  @BeforeEach
  void data() {
    seed();
  }

  @Test
  void noIdentityIsNoAdmin() {
    fault(get("/v2/samples"), 401, "Authentication required");
    fault(get("/v2/admin/tokens"), 401, "Authentication required");
    fault(post("/v2/meters/cpu", SAMPLE), 401, "Authentication required");
    fault(get("/v2/samples", "X-User-Id", "", "X-Project-Id", "", "X-Roles", ","), 401, "Authentication required");
    fault(get("/v2/samples", "X-Roles", "admin", "X-Identity-Status", "Invalid"), 401, "Authentication required");
    get("/v2/samples", "X-Roles", "admin", "X-Identity-Status", "Confirmed").expectStatus().isOk()
        .expectBody().jsonPath("$.length()").isEqualTo(6);
    // the public documents need no identity
    get("/").expectStatus().isOk();
  }

  @Test
  void writesFollowTheRuleOfReads() {
    // a member without a project can neither read nor write
    fault(get("/v2/samples", "X-User-Id", "u1", "X-Roles", "member"), 403, "RBAC Authorization Failed");
    fault(post("/v2/meters/cpu", SAMPLE, "X-User-Id", "u1", "X-Roles", "member"), 403, "RBAC Authorization Failed");
    // a member of p1 cannot write into p2
    fault(post("/v2/meters/cpu", SAMPLE, "X-User-Id", "u1", "X-Project-Id", "p1", "X-Roles", "member"), 401,
        "Not Authorized to access project p2");
    get("/v2/samples?q.field=resource_id&q.value=r9", "X-Roles", "admin").expectStatus().isOk().expectBody().json("[]");
    // into its own project it can
    post("/v2/meters/cpu", SAMPLE, "X-User-Id", "u2", "X-Project-Id", "p2", "X-Roles", "member")
        .expectStatus().isCreated();
  }
}
