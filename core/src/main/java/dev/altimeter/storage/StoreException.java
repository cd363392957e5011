package dev.altimeter.storage;

/**
 * Why a store refused a call, in the two kinds a caller must tell apart (the way PostgreSQL's
 * SQLSTATE classes separate them):
 *
 * <ul>
 *   <li>{@link InvalidData}: the values given cannot be stored or evaluated (a NUL in a string, a
 *       timestamp out of range, an invalid regular expression). Permanent: the same values fail
 *       again, so an HTTP caller gets 400 and a notification is dead-lettered, never retried.</li>
 *   <li>{@link Unavailable}: the store cannot be reached or ran out of a resource (connection
 *       refused or lost, server shutting down, too many connections, pool exhausted). Transient: the
 *       same call may succeed later, so an HTTP caller gets 503 with Retry-After and a notification
 *       is requeued.</li>
 * </ul>
 *
 * Any other failure is a bug of the store. Stores translate their driver's errors into these at
 * their boundary; no stack trace is kept, the message says what was refused.
 */
public abstract sealed class StoreException extends RuntimeException {

  StoreException(String message, Throwable cause) {
    super(message, cause, false, false);
  }

  /** The values given cannot be stored or evaluated; retrying the same values fails again. */
  public static final class InvalidData extends StoreException {
    public InvalidData(String message, Throwable cause) {
      super(message, cause);
    }

    public InvalidData(String message) {
      super(message, null);
    }
  }

  /** The store is unreachable or out of a resource now; the same call may succeed later. */
  public static final class Unavailable extends StoreException {
    public Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
