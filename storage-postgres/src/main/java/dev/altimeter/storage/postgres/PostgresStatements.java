package dev.altimeter.storage.postgres;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One read statement on a connection of the pool, and one statement run for its effect on a given
 * connection, shared by the stores of this package.
 */
final class PostgresStatements {
  private PostgresStatements() {}

  /**
   * Runs {@code sql} with {@code binds} ($1, $2, ... in order) on a connection taken from {@code
   * connections} and released when the rows are consumed or the subscription ends; errors are
   * translated to {@code StoreException}s ({@link PostgresErrors#translate}).
   */
  static <T> Flux<T> query(ConnectionFactory connections, String sql, List<Object> binds,
      Function<Readable, T> mapper) {
    return Flux.usingWhen(connections.create(), conn -> Flux.from(bind(conn, sql, binds).execute())
            .flatMap(r -> r.map(mapper::apply)), Connection::close)
        .onErrorMap(PostgresErrors::translate);
  }

  /** {@code sql} prepared on {@code conn} with {@code binds} bound in order. */
  static Statement bind(Connection conn, String sql, List<Object> binds) {
    Statement st = conn.createStatement(sql);
    for (int i = 0; i < binds.size(); i++) st.bind(i, binds.get(i));
    return st;
  }

  /**
   * Runs {@code sql} with {@code binds} ($1, $2, ... in order) on {@code conn}, in whatever
   * transaction {@code conn} is in, and discards the row counts. Errors are left as they are.
   */
  static Mono<Void> execute(Connection conn, String sql, Object... binds) {
    return Flux.from(bind(conn, sql, Arrays.asList(binds)).execute()).flatMap(r -> r.getRowsUpdated()).then();
  }
}
