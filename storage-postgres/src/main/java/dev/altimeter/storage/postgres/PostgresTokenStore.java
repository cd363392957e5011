package dev.altimeter.storage.postgres;

import dev.altimeter.storage.TokenStore;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Statement;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@link TokenStore} in the {@code api_token} table. Thread-safe. */
public final class PostgresTokenStore implements TokenStore {
  private static final String COLUMNS = "SELECT id, project_id, user_id, roles, created_at, expires_at FROM api_token";
  private final ConnectionFactory connections;

  public PostgresTokenStore(ConnectionFactory connections) {
    this.connections = connections;
  }

  @Override
  public Mono<Void> create(Token token, byte[] sha256) {
    return execute("INSERT INTO api_token (id, hash, project_id, user_id, roles, created_at, expires_at)"
            + " VALUES ($1, $2, $3, $4, $5, $6, $7)",
        st -> {
          st.bind(0, token.id()).bind(1, java.nio.ByteBuffer.wrap(sha256)).bind(2, token.projectId())
              .bind(4, token.roles().toArray(String[]::new))
              .bind(5, token.createdAt().atOffset(java.time.ZoneOffset.UTC));
          if (token.expiresAt() == null) st.bindNull(6, OffsetDateTime.class);
          else st.bind(6, token.expiresAt().atOffset(java.time.ZoneOffset.UTC));
          return token.userId() == null ? st.bindNull(3, String.class) : st.bind(3, token.userId());
        })
        .then();
  }

  @Override
  public Mono<Token> find(byte[] sha256) {
    return rows(COLUMNS + " WHERE hash = $1", st -> st.bind(0, java.nio.ByteBuffer.wrap(sha256))).next();
  }

  @Override
  public Flux<Token> list() {
    return rows(COLUMNS + " ORDER BY created_at, id", st -> st);
  }

  @Override
  public Mono<Boolean> delete(UUID id) {
    return execute("DELETE FROM api_token WHERE id = $1", st -> st.bind(0, id)).map(n -> n > 0);
  }

  private Mono<Long> execute(String sql, java.util.function.UnaryOperator<Statement> binder) {
    return Mono.usingWhen(connections.create(),
        conn -> Flux.from(binder.apply(conn.createStatement(sql)).execute())
            .flatMap(r -> r.getRowsUpdated()).reduce(0L, Long::sum),
        Connection::close);
  }

  private Flux<Token> rows(String sql, java.util.function.UnaryOperator<Statement> binder) {
    return Flux.usingWhen(connections.create(),
        conn -> Flux.from(binder.apply(conn.createStatement(sql)).execute()).flatMap(r -> r.map(PostgresTokenStore::toToken)),
        Connection::close);
  }

  private static Token toToken(Readable row) {
    String[] roles = row.get("roles", String[].class);
    return new Token(row.get("id", UUID.class), row.get("project_id", String.class), row.get("user_id", String.class),
        roles == null ? List.of() : List.of(roles), row.get("created_at", OffsetDateTime.class).toInstant(),
        expiresAt(row.get("expires_at", OffsetDateTime.class)));
  }

  private static java.time.Instant expiresAt(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }
}
