package dev.altimeter.promql;

/**
 * A CharSequence that fails with TIMEOUT once a deadline passes, checked every 4096 reads.
 * java.util.regex backtracks (RE2, which Prometheus uses, does not): a pattern like {@code (a+)+b}
 * can take exponential time, and a regex match is not interruptible otherwise. Matching against
 * this wrapper bounds it by the query's deadline. Not thread-safe.
 */
final class DeadlineCharSequence implements CharSequence {

  private final CharSequence s;
  private final long deadlineNanos;
  private int reads;

  DeadlineCharSequence(CharSequence s, long deadlineNanos) {
    this.s = s;
    this.deadlineNanos = deadlineNanos;
  }

  @Override
  public char charAt(int index) {
    if ((++reads & 4095) == 0 && System.nanoTime() - deadlineNanos > 0) {
      throw new QueryException(QueryException.ErrorType.TIMEOUT,
          "query timed out in query execution (regular expression matching)");
    }
    return s.charAt(index);
  }

  @Override
  public int length() {
    return s.length();
  }

  @Override
  public CharSequence subSequence(int start, int end) {
    return new DeadlineCharSequence(s.subSequence(start, end), deadlineNanos);
  }

  @Override
  public String toString() {
    return s.toString();
  }
}
