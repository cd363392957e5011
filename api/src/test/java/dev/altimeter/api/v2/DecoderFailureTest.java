package dev.altimeter.api.v2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A request the HTTP decoder refuses (a request line or headers over the limits, a NUL in a header),
 * or one of another HTTP version, is answered with the fault document and the connection closed, also when it comes on a keep-alive
 * connection right behind a request that went to the database. Reactor Netty 1.3.6 gives such a
 * request to the previous request's operations when those have not finished yet, and then nobody
 * answers it (seen on 5-35 % of tries). The race needs many tries: each kind is sent {@value #TRIES}
 * times pipelined and as many times after the first answer, several connections at a time.
 */
class DecoderFailureTest extends ApiTestSupport {
  private static final int TRIES = 200;
  private static final JsonMapper JSON = JsonMapper.builder().build();
  /** Goes to the database, so its answer is still in flight when the next request arrives. */
  private static final String DATABASE = "GET /v2/meters HTTP/1.1\r\nHost: localhost\r\nX-Roles: admin\r\n\r\n";

  private static final String LONG_URI =
      "GET /v2/meters?q.field=resource_id&q.value=" + "a".repeat(70_000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
  private static final String NUL_IN_HEADER = "GET /v2/meters HTTP/1.1\r\nHost: localhost\r\nX-Project-Id: p\0q\r\n\r\n";
  private static final String LARGE_HEADERS;

  static {
    StringBuilder request = new StringBuilder("GET /v2/meters HTTP/1.1\r\nHost: localhost\r\n");
    for (int i = 0; i < 100; i++) request.append("X-Filler-").append(i).append(": ").append("b".repeat(1_000)).append("\r\n");
    LARGE_HEADERS = request.append("\r\n").toString();
  }

  @Test
  void uriTooLong() throws Exception {
    assertAlwaysAnswered(LONG_URI, 414, "URI too long: the request line may have at most 4096 bytes");
  }

  @Test
  void nulInAHeader() throws Exception {
    assertAlwaysAnswered(NUL_IN_HEADER, 400, "Malformed HTTP request: Validation failed for header 'X-Project-Id'");
  }

  @Test
  void headersTooLarge() throws Exception {
    assertAlwaysAnswered(LARGE_HEADERS, 431,
        "Request header fields too large: the headers may have at most 8192 bytes in all");
  }

  @Test
  void anotherHttpVersion() throws Exception {
    assertAlwaysAnswered("GET /v2/meters HTTP/2.0\r\nHost: localhost\r\n\r\n", 400,
        "Malformed HTTP request: HTTP/2.0 is not supported, this server speaks HTTP/1.1");
  }

  @Test
  void firstRequestOfAConnection() throws Exception {
    try (RawConnection connection = new RawConnection(port, 30_000)) {
      connection.send(LONG_URI);
      RawConnection.Response fault = connection.read();
      assertThat(fault.status()).isEqualTo(414);
      assertThat(fault.headers()).containsEntry("connection", "close").containsEntry("content-type", "application/json");
      assertThat(connection.closedByServer()).isTrue();
    }
  }

  /**
   * Sends {@code bad} behind a database request on one connection, in the same write and after the
   * first answer, {@link #TRIES} times each, and expects every time: the first answer, then the fault
   * document with {@code status}, {@code Connection: close}, and the connection closed.
   */
  private void assertAlwaysAnswered(String bad, int status, String faultstring) throws Exception {
    ExecutorService connections = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> outcomes = new ArrayList<>();
      for (int i = 0; i < 2 * TRIES; i++) {
        boolean pipelined = i % 2 == 0;
        outcomes.add(connections.submit(() -> attempt(bad, pipelined, status, faultstring)));
      }
      Map<String, Integer> failures = new TreeMap<>();
      for (Future<String> outcome : outcomes) {
        String failure = outcome.get();
        if (failure != null) failures.merge(failure, 1, Integer::sum);
      }
      assertThat(failures).as("failed tries of %d", 2 * TRIES).isEmpty();
    } finally {
      connections.shutdownNow();
    }
  }

  /** One try; null when all went as expected, else what went wrong. */
  private String attempt(String bad, boolean pipelined, int status, String faultstring) throws IOException {
    String mode = pipelined ? "pipelined: " : "after the first answer: ";
    // long enough for a busy shared machine, short enough to count hundreds of unanswered requests
    try (RawConnection connection = new RawConnection(port, 5_000)) {
      if (pipelined) {
        connection.send(DATABASE + bad);
      } else {
        connection.send(DATABASE);
      }
      if (connection.read().status() != 200) return mode + "the database request failed";
      if (!pipelined) connection.send(bad);
      RawConnection.Response fault;
      try {
        fault = connection.read();
      } catch (SocketTimeoutException e) {
        return mode + "never answered";
      } catch (IOException e) {
        return mode + "closed without an answer (" + e.getMessage() + ")";
      }
      if (fault.status() != status) return mode + "status " + fault.status();
      if (!"close".equals(fault.headers().get("connection"))) return mode + "no Connection: close";
      if (!"application/json".equals(fault.headers().get("content-type"))) return mode + "not JSON";
      JsonNode error = JSON.readTree(fault.body()).path("error_message");
      if (!error.path("faultcode").asString().equals("Client") || !error.path("faultstring").asString().equals(faultstring)
          || !error.path("debuginfo").isNull()) {
        return mode + "not the fault document: " + fault.body();
      }
      try {
        if (!connection.closedByServer()) return mode + "more bytes after the fault";
      } catch (SocketTimeoutException e) {
        return mode + "connection left open";
      }
      return null;
    }
  }
}
