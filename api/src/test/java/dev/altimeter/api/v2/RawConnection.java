package dev.altimeter.api.v2;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 connection over a plain socket, for what an HTTP client library hides: pipelining,
 * bytes no client would send, whether the server answered at all and whether it closed.
 */
final class RawConnection implements Closeable {
  /** What came back: the status, the headers (names in lower case) and the body. */
  record Response(int status, Map<String, String> headers, String body) {}

  private final Socket socket;
  private final InputStream in;

  /** A read that waits longer than {@code readTimeoutMillis} fails with a SocketTimeoutException. */
  RawConnection(int port, int readTimeoutMillis) throws IOException {
    socket = new Socket("localhost", port);
    socket.setSoTimeout(readTimeoutMillis);
    in = socket.getInputStream();
  }

  void send(String request) throws IOException {
    send(request.getBytes(StandardCharsets.ISO_8859_1));
  }

  void send(byte[] request) throws IOException {
    socket.getOutputStream().write(request);
    socket.getOutputStream().flush();
  }

  /** Reads one response (Content-Length or chunked body). */
  Response read() throws IOException {
    String statusLine = line();
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String header = line(); !header.isEmpty(); header = line()) {
      int colon = header.indexOf(':');
      headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (headers.getOrDefault("transfer-encoding", "").contains("chunked")) {
      for (long size = Long.parseLong(line().trim(), 16); size > 0; size = Long.parseLong(line().trim(), 16)) {
        body.write(in.readNBytes((int) size));
        line();
      }
      line();
    } else {
      body.write(in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0"))));
    }
    return new Response(status, headers, body.toString(StandardCharsets.UTF_8));
  }

  /** Whether the server has closed the connection: the next read finds the end of the stream. */
  boolean closedByServer() throws IOException {
    return in.read() < 0;
  }

  private String line() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) throw new IOException("connection closed");
      if (b != '\r') out.write(b);
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
