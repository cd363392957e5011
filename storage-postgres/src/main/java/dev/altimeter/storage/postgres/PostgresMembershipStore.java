package dev.altimeter.storage.postgres;

import dev.altimeter.storage.MembershipStore;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The polling agents' membership in table {@code polling_member} (migration V3): one row per
 * (group, member) with its last heartbeat. Each call takes one pooled connection and runs one
 * statement, autocommit; the driver's and pool's failures are translated by {@link PostgresErrors}.
 */
public final class PostgresMembershipStore implements MembershipStore {
  private final ConnectionFactory connections;

  public PostgresMembershipStore(ConnectionFactory connections) {
    this.connections = Objects.requireNonNull(connections);
  }

  @Override
  public Mono<Void> heartbeat(String group, String memberId, Instant at) {
    return update("INSERT INTO polling_member (group_name, member_id, heartbeat_at) VALUES ($1, $2, $3)"
            + " ON CONFLICT (group_name, member_id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at",
        st -> st.bind("$1", group).bind("$2", memberId).bind("$3", utc(at)));
  }

  @Override
  public Flux<String> members(String group, Instant after) {
    return statement("SELECT member_id FROM polling_member WHERE group_name = $1 AND heartbeat_at > $2 ORDER BY member_id",
        st -> st.bind("$1", group).bind("$2", utc(after)), r -> r.map((row, meta) -> row.get("member_id", String.class)));
  }

  @Override
  public Mono<Void> forget(String group, Instant before) {
    return update("DELETE FROM polling_member WHERE group_name = $1 AND heartbeat_at < $2",
        st -> st.bind("$1", group).bind("$2", utc(before)));
  }

  @Override
  public Mono<Void> leave(String group, String memberId) {
    return update("DELETE FROM polling_member WHERE group_name = $1 AND member_id = $2",
        st -> st.bind("$1", group).bind("$2", memberId));
  }

  private Mono<Void> update(String sql, Function<Statement, Statement> binder) {
    return statement(sql, binder, Result::getRowsUpdated).then();
  }

  /** Runs one statement on its own connection; the rows are read before the connection goes back. */
  private <T> Flux<T> statement(String sql, Function<Statement, Statement> binder,
      Function<Result, Publisher<T>> reader) {
    return Flux.usingWhen(connections.create(),
            c -> Flux.from(binder.apply(c.createStatement(sql)).execute()).flatMap(reader),
            Connection::close)
        .onErrorMap(PostgresErrors::translate);
  }

  private static OffsetDateTime utc(Instant at) {
    return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
  }
}
