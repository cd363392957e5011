package dev.altimeter.api.v2;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, one request per connection ({@code Connection: close}), so a test can
 * send what a well-behaved client library refuses to: malformed percent-escapes in the request target,
 * unparseable header values, a GET with a body, a Content-Length larger than what follows.
 */
final class RawHttp {
  private RawHttp() {}

  /**
   * A request as sent: {@code target} goes onto the request line byte for byte (UTF-8), header values
   * too. {@code claimedLength}, when not null, is sent as Content-Length instead of the body's.
   */
  record Request(String method, String target, List<Map.Entry<String, String>> headers, byte[] body,
      Long claimedLength) {
    Request {
      headers = List.copyOf(headers);
    }

    static Request of(String method, String target, String... headers) {
      List<Map.Entry<String, String>> h = new ArrayList<>();
      for (int i = 0; i < headers.length; i += 2) h.add(Map.entry(headers[i], headers[i + 1]));
      return new Request(method, target, h, null, null);
    }

    Request withBody(String contentType, byte[] bytes) {
      List<Map.Entry<String, String>> h = new ArrayList<>(headers);
      if (contentType != null) h.add(Map.entry("Content-Type", contentType));
      return new Request(method, target, h, bytes, claimedLength);
    }

    Request withBody(String contentType, String text) {
      return withBody(contentType, text.getBytes(StandardCharsets.UTF_8));
    }

    byte[] bytes(int port) {
      StringBuilder head = new StringBuilder();
      head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
      head.append("Host: localhost:").append(port).append("\r\n");
      for (Map.Entry<String, String> h : headers) head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
      if (claimedLength != null) {
        head.append("Content-Length: ").append(claimedLength).append("\r\n");
      } else if (body != null) {
        head.append("Content-Length: ").append(body.length).append("\r\n");
      }
      head.append("Connection: close\r\n\r\n");
      byte[] h = head.toString().getBytes(StandardCharsets.UTF_8);
      if (body == null || claimedLength != null) return h;
      byte[] all = Arrays.copyOf(h, h.length + body.length);
      System.arraycopy(body, 0, all, h.length, body.length);
      return all;
    }

    /** The request as a reader can replay it: non-printable characters escaped, a long body cut. */
    @Override
    public String toString() {
      StringBuilder b = new StringBuilder(method).append(' ').append(printable(target, 2000));
      for (Map.Entry<String, String> h : headers) b.append("\n  ").append(h.getKey()).append(": ").append(printable(h.getValue(), 300));
      if (claimedLength != null) b.append("\n  Content-Length: ").append(claimedLength).append(" (claimed)");
      if (body != null) {
        b.append("\n  body (").append(body.length).append(" bytes): ")
            .append(printable(new String(body, StandardCharsets.UTF_8), 1500));
      }
      return b.toString();
    }
  }

  /**
   * What came back. {@code complete} is false when the body ended early (a chunked body without its
   * last chunk, fewer bytes than Content-Length): a failure after the status was sent.
   */
  record Response(int status, Map<String, String> headers, byte[] body, boolean complete) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return status + " " + headers + " " + printable(text(), 1500) + (complete ? "" : " (incomplete)");
    }
  }

  static Response send(int port, Request request, int timeoutMillis) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
      OutputStream out = socket.getOutputStream();
      out.write(request.bytes(port));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      return parse(all.toByteArray(), request.method().equals("HEAD"));
    }
  }

  static Response parse(byte[] raw, boolean head) throws IOException {
    int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
    if (end < 0) throw new IOException("no complete response head in " + raw.length + " bytes: "
        + printable(new String(raw, StandardCharsets.ISO_8859_1), 300));
    String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
    String[] statusLine = lines[0].split(" ", 3);
    int status = Integer.parseInt(statusLine[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
    }
    byte[] rest = Arrays.copyOfRange(raw, end + 4, raw.length);
    if (head || status == 204 || status == 304) return new Response(status, headers, new byte[0], true);
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) return dechunk(status, headers, rest);
    String length = headers.get("content-length");
    if (length != null) {
      int n = Integer.parseInt(length);
      return new Response(status, headers, Arrays.copyOf(rest, Math.min(n, rest.length)), rest.length >= n);
    }
    return new Response(status, headers, rest, true);
  }

  private static Response dechunk(int status, Map<String, String> headers, byte[] rest) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    int at = 0;
    while (true) {
      int lineEnd = indexOf(rest, new byte[] {'\r', '\n'}, at);
      if (lineEnd < 0) return new Response(status, headers, body.toByteArray(), false);
      String sizeText = new String(rest, at, lineEnd - at, StandardCharsets.US_ASCII);
      int semicolon = sizeText.indexOf(';');
      int size = Integer.parseInt((semicolon >= 0 ? sizeText.substring(0, semicolon) : sizeText).trim(), 16);
      at = lineEnd + 2;
      if (size == 0) return new Response(status, headers, body.toByteArray(), true);
      if (at + size > rest.length) return new Response(status, headers, body.toByteArray(), false);
      body.write(rest, at, size);
      at += size + 2;
    }
  }

  private static int indexOf(byte[] data, byte[] pattern, int from) {
    outer:
    for (int i = from; i <= data.length - pattern.length; i++) {
      for (int j = 0; j < pattern.length; j++) if (data[i + j] != pattern[j]) continue outer;
      return i;
    }
    return -1;
  }

  static String printable(String s, int max) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < max; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    if (b.length() >= max) b.append("... (").append(s.length()).append(" chars)");
    return b.toString();
  }
}
