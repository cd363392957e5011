package dev.altimeter.storage.postgres;

import dev.altimeter.storage.StoreException;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import reactor.util.retry.Retry;
import reactor.util.retry.RetryBackoffSpec;

/**
 * Translates what the driver and the pool raise into the store's two failure kinds, by SQLSTATE
 * class (PostgreSQL's Appendix A, "PostgreSQL Error Codes"):
 *
 * <ul>
 *   <li>invalid data: {@code 22} data exception (NUL in text, value out of range, invalid regular
 *       expression, untranslatable character), {@code 23} integrity constraint violation (a check or
 *       partition bound), {@code 54} program limit exceeded (too many bind parameters, a row too
 *       big);</li>
 *   <li>unavailable: {@code 08} connection exception, {@code 40} transaction rollback (a deadlock or
 *       serialization failure between concurrent writes that outlasted {@link #RETRY}), {@code 53}
 *       insufficient resources, {@code 57P}
 *       operator intervention (shutdown, crash, not yet accepting connections), {@code 58} system
 *       error, and everything below SQL: a lost or refused socket, a pool that could not hand out
 *       a connection in time.</li>
 * </ul>
 *
 * Anything else passes through unchanged: it is a bug of the store, not the caller's or the
 * operator's to fix.
 */
final class PostgresErrors {
  private PostgresErrors() {}

  /**
   * How a write that lost to a concurrent one (deadlock {@code 40P01}, serialization failure {@code
   * 40001}, a {@link Conflict} of the store's own) is retried: 3 more times, 20 ms apart and
   * growing. When they are used up the last failure itself goes on (not Reactor's
   * RetryExhaustedException, which nothing translates: it was answered 500), so {@link #translate}
   * makes it {@link StoreException.Unavailable}, a 503 that asks the client to retry.
   */
  static final RetryBackoffSpec RETRY = Retry.backoff(3, Duration.ofMillis(20)).filter(PostgresErrors::isConflict)
      .onRetryExhaustedThrow((spec, signal) -> signal.failure());

  /** A write that met a concurrent one mid-way (a cached id evicted under it): safe to run again. */
  static class Conflict extends RuntimeException {
    Conflict(String message) {
      super(message, null, false, false);
    }
  }

  static boolean isConflict(Throwable e) {
    if (e instanceof Conflict) return true;
    String state = e instanceof R2dbcException r ? r.getSqlState() : null;
    return "40P01".equals(state) || "40001".equals(state);
  }

  static Throwable translate(Throwable e) {
    if (e instanceof StoreException) return e;
    if (e instanceof Conflict) return new StoreException.Unavailable("PostgreSQL is busy: " + e.getMessage(), e);
    String state = e instanceof R2dbcException r ? r.getSqlState() : null;
    if (state != null && state.length() == 5) {
      String cls = state.substring(0, 2);
      switch (cls) {
        case "22", "23", "54" -> {
          return new StoreException.InvalidData(e.getMessage() + " (SQLSTATE " + state + ")", e);
        }
        case "40" -> {
          return new StoreException.Unavailable("PostgreSQL is busy (concurrent writes): " + e.getMessage(), e);
        }
        case "08", "53", "58" -> {
          return new StoreException.Unavailable("PostgreSQL is unavailable: " + e.getMessage(), e);
        }
        default -> {
          if (state.startsWith("57P")) return new StoreException.Unavailable("PostgreSQL is unavailable: " + e.getMessage(), e);
        }
      }
    }
    if (e instanceof R2dbcNonTransientResourceException || e instanceof R2dbcTransientResourceException
        || e instanceof IOException || e instanceof TimeoutException || isPoolOrChannelFailure(e)) {
      return new StoreException.Unavailable("PostgreSQL is unavailable: " + e, e);
    }
    return e;
  }

  /** The pool's acquire timeout and a closed connection carry no SQLSTATE; recognised by type name. */
  private static boolean isPoolOrChannelFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String name = t.getClass().getName();
      if (name.startsWith("reactor.pool.") || name.endsWith("ConnectionClosedException")
          || name.endsWith("ClosedChannelException") || t instanceof IOException) {
        return true;
      }
      if (t.getCause() == t) break;
    }
    return false;
  }
}
