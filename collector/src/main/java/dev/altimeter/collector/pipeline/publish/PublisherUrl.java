package dev.altimeter.collector.pipeline.publish;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * A publisher entry of pipeline.yaml, e.g. {@code udp://collector:4952},
 * {@code file:///var/log/samples.json?max_bytes=10000000&backup_count=5&json}, {@code gnocchi://}.
 * An entry without {@code ://} means {@code entry://} (Ceilometer: {@code foo} is {@code foo://}).
 *
 * @param url the normalised URL ({@code scheme://…})
 * @param scheme lowercase scheme, selecting the publisher
 * @param userInfo {@code user:password} or null
 * @param host host name (IPv6 without brackets) or null
 * @param port the port, or -1 when absent
 * @param path the path, percent-decoded, possibly empty
 * @param query query options in order; a bare key ({@code &json}) has the value {@code ""}
 */
public record PublisherUrl(String url, String scheme, String userInfo, String host, int port, String path,
    Map<String, List<String>> query) {

  public PublisherUrl {
    query = Collections.unmodifiableMap(new LinkedHashMap<>(query));
  }

  /** Parses and normalises an entry; throws {@link IllegalArgumentException} for a malformed one. */
  public static PublisherUrl parse(String entry) {
    if (entry == null || entry.isBlank()) throw new IllegalArgumentException("empty publisher");
    String url = entry.trim();
    int sep = url.indexOf("://");
    if (sep < 0) {
      url = url + "://";
      sep = url.length() - 3;
    }
    String scheme = url.substring(0, sep).toLowerCase(Locale.ROOT);
    if (scheme.isEmpty() || !scheme.matches("[a-z][a-z0-9+.\\-]*")) {
      throw new IllegalArgumentException("invalid publisher scheme in '" + entry + "'");
    }
    String rest = url.substring(sep + 3);
    String queryText = "";
    int q = rest.indexOf('?');
    if (q >= 0) {
      queryText = rest.substring(q + 1);
      rest = rest.substring(0, q);
    }
    int slash = rest.indexOf('/');
    String authority = slash >= 0 ? rest.substring(0, slash) : rest;
    String path = slash >= 0 ? decode(rest.substring(slash)) : "";
    String userInfo = null;
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      userInfo = decode(authority.substring(0, at));
      authority = authority.substring(at + 1);
    }
    String host = null;
    int port = -1;
    if (!authority.isEmpty()) {
      String portText = null;
      if (authority.startsWith("[")) {
        int close = authority.indexOf(']');
        if (close < 0) throw new IllegalArgumentException("invalid IPv6 host in '" + entry + "'");
        host = authority.substring(1, close);
        if (close + 1 < authority.length()) {
          if (authority.charAt(close + 1) != ':') throw new IllegalArgumentException("invalid host in '" + entry + "'");
          portText = authority.substring(close + 2);
        }
      } else {
        int colon = authority.lastIndexOf(':');
        host = colon >= 0 ? authority.substring(0, colon) : authority;
        portText = colon >= 0 ? authority.substring(colon + 1) : null;
      }
      if (portText != null && !portText.isEmpty()) {
        try {
          port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
          port = -2;
        }
        if (port < 0 || port > 65535) throw new IllegalArgumentException("invalid port '" + portText + "' in '" + entry + "'");
      }
      if (host.isEmpty()) host = null;
    }
    Map<String, List<String>> query = new LinkedHashMap<>();
    if (!queryText.isEmpty()) {
      for (String pair : queryText.split("&")) {
        if (pair.isEmpty()) continue;
        int eq = pair.indexOf('=');
        String k = decode(eq >= 0 ? pair.substring(0, eq) : pair);
        String v = eq >= 0 ? decode(pair.substring(eq + 1)) : "";
        query.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
      }
    }
    return new PublisherUrl(url, scheme, userInfo, host, port, path, query);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** The last value of a query option, or {@code fallback}. */
  public String option(String name, String fallback) {
    List<String> v = query.get(name);
    return v == null || v.isEmpty() ? fallback : v.get(v.size() - 1);
  }

  public boolean hasOption(String name) {
    return query.containsKey(name);
  }

  /** An integer option; throws {@link IllegalArgumentException} naming it when malformed. */
  public int intOption(String name, int fallback) {
    String v = option(name, null);
    if (v == null || v.isEmpty()) return fallback;
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("option '" + name + "' of " + url + " must be an integer, got '" + v + "'");
    }
  }

  public double doubleOption(String name, double fallback) {
    String v = option(name, null);
    if (v == null || v.isEmpty()) return fallback;
    try {
      return Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("option '" + name + "' of " + url + " must be a number, got '" + v + "'");
    }
  }

  /** A boolean option in Ceilometer's spelling ({@code true/false}, {@code 1/0}, {@code yes/no}). */
  public boolean boolOption(String name, boolean fallback) {
    String v = option(name, null);
    if (v == null) return fallback;
    switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "": case "true": case "1": case "yes": case "on": return true;
      case "false": case "0": case "no": case "off": return false;
      default:
        throw new IllegalArgumentException("option '" + name + "' of " + url + " must be a boolean, got '" + v + "'");
    }
  }

  /** The URL with any password and query options hidden: safe for logs and metric tags. */
  public String redacted() {
    StringBuilder b = new StringBuilder(scheme).append("://");
    if (userInfo != null) b.append(userInfo.contains(":") ? userInfo.substring(0, userInfo.indexOf(':')) + ":***" : userInfo).append('@');
    if (host != null) b.append(host.contains(":") ? "[" + host + "]" : host);
    if (port >= 0) b.append(':').append(port);
    return b.append(path).toString();
  }

  @Override
  public String toString() {
    return redacted();
  }
}
