package dev.altimeter.api.v2;

import dev.altimeter.storage.TokenStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import reactor.core.publisher.Mono;

/**
 * Makes bearer tokens: 256 random bits, URL-safe base64 without padding; only their SHA-256 is
 * stored, so the secret exists once, in the answer that made it. Thread-safe.
 */
final class TokenIssuer {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A token as stored, with its secret. */
  record Issued(TokenStore.Token token, String secret) {}

  private TokenIssuer() {}

  static Mono<Issued> issue(TokenStore store, String projectId, String userId, List<String> roles, Instant now,
      Instant expiresAt) {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    var token = new TokenStore.Token(UUID.randomUUID(), projectId, userId, roles, now, expiresAt);
    return store.create(token, sha256(secret)).thenReturn(new Issued(token, secret));
  }

  static byte[] sha256(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
