package dev.altimeter.storage;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The API's bearer tokens, kept by their SHA-256 only (the token itself is shown once, when made,
 * and never stored). Implementations are non-blocking and thread-safe.
 */
public interface TokenStore {

  /**
   * A token's identity: the project and roles a request bearing it acts with, until {@code
   * expiresAt} (exclusive; {@code null}: it never expires).
   */
  record Token(UUID id, String projectId, String userId, List<String> roles, Instant createdAt, Instant expiresAt) {
    public Token {
      roles = List.copyOf(roles);
    }

    /** A token that never expires. */
    public Token(UUID id, String projectId, String userId, List<String> roles, Instant createdAt) {
      this(id, projectId, userId, roles, createdAt, null);
    }

    /** Has it expired at {@code now}? */
    public boolean expiredAt(Instant now) {
      return expiresAt != null && !now.isBefore(expiresAt);
    }
  }

  /** Stores a token under the SHA-256 of its secret (32 bytes). */
  Mono<Void> create(Token token, byte[] sha256);

  /** The token whose secret has this SHA-256, or empty. */
  Mono<Token> find(byte[] sha256);

  /** Every token, oldest first. */
  Flux<Token> list();

  /** Deletes a token; {@code true} when it existed. */
  Mono<Boolean> delete(UUID id);
}
