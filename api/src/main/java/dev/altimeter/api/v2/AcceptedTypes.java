package dev.altimeter.api.v2;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.util.InvalidMimeTypeException;
import org.springframework.util.MimeTypeUtils;
import org.springframework.web.server.NotAcceptableStatusException;
import org.springframework.web.server.ServerWebExchange;

/**
 * The rules on what an {@code Accept} header may ask for ({@link #negotiate}), applied before
 * routing on both ports: by {@link RequestFilter} on the API's, by the management server's own
 * filter on the actuator's (the application's filters do not run there):
 *
 * <ul>
 *   <li>One that cannot be parsed is 406, {@code Not Acceptable: the Accept header cannot be
 *       parsed}; one that names no type (empty, or only commas) is removed: anything is accepted;
 *       empty entries beside types are dropped.
 *   <li>More than {@value #MAX_ACCEPTED_TYPES} types is 406, {@code Not Acceptable: the Accept
 *       header may name at most 50 media types}: Spring's sorting throws past that many, which its
 *       content negotiation does not catch (a 500).
 *   <li>A JSON type naming another charset than UTF-8 is left out of the header: no answer is
 *       written in it (Spring's JSON encoder fails on it after the handler ran: a 500, with a sample
 *       POST already stored). When that leaves no type at all, 406 {@code Not Acceptable: the answer
 *       is JSON in UTF-8, not X}; when other types are left, a route answering JSON that none of them
 *       accepts gets Spring's 406, which {@link #explain} words the same; a route answering something
 *       else (the console's HTML) is not concerned.
 * </ul>
 */
public final class AcceptedTypes {
  /** The most media types Spring's content negotiation sorts ({@code MimeTypeUtils.sortBySpecificity}). */
  private static final int MAX_ACCEPTED_TYPES = 50;
  /** The exchange attribute holding the charset of the JSON type left out (a {@link Charset}). */
  private static final String LEFT_OUT_CHARSET = AcceptedTypes.class.getName() + ".leftOutCharset";

  private AcceptedTypes() {}

  /**
   * The exchange to go on with: {@code exchange} itself, or with the JSON types in another charset
   * than UTF-8 left out of its {@code Accept} (and noted for {@link #explain}), or without an
   * {@code Accept} that names no type, or written again without its empty entries. OPTIONS is only
   * held to the number of types.
   *
   * @throws NotAcceptableStatusException (406, its reason the fault's message) for an {@code Accept}
   *     that cannot be parsed, of more than {@value
   *     #MAX_ACCEPTED_TYPES} types, or that accepts nothing but JSON in another charset
   */
  public static ServerWebExchange negotiate(ServerWebExchange exchange) {
    HttpHeaders headers = exchange.getRequest().getHeaders();
    List<MediaType> accepted;
    try {
      accepted = headers.getAccept();
    } catch (InvalidMediaTypeException | InvalidMimeTypeException e) {
      // refused here for every route alike: the actuator's Prometheus endpoint parses it again and fails
      throw new NotAcceptableStatusException("Not Acceptable: the Accept header cannot be parsed");
    }
    if (accepted.size() > MAX_ACCEPTED_TYPES) {
      // whatever the method: Spring sorts them for OPTIONS too, when no route matches
      throw new NotAcceptableStatusException(
          "Not Acceptable: the Accept header may name at most " + MAX_ACCEPTED_TYPES + " media types");
    }
    if (exchange.getRequest().getMethod() == HttpMethod.OPTIONS) return exchange;
    if (hasEmptyEntry(headers.get(HttpHeaders.ACCEPT))) {
      // written again from its types (none: removed, anything is accepted), as Spring's negotiation
      // reads it; the actuator parses the entries itself and failed on an empty one (a 500)
      List<MediaType> types = accepted;
      exchange = exchange.mutate().request(r -> r.headers(h -> {
        if (types.isEmpty()) h.remove(HttpHeaders.ACCEPT); else h.setAccept(types);
      })).build();
    }
    if (accepted.isEmpty()) return exchange;
    Kept kept = keep(accepted);
    if (kept.leftOut() == null) return exchange;
    if (kept.types().isEmpty()) throw notJsonInUtf8(kept.leftOut());
    ServerWebExchange negotiated = exchange.mutate().request(r -> r.headers(h -> h.setAccept(kept.types()))).build();
    negotiated.getAttributes().put(LEFT_OUT_CHARSET, kept.leftOut());
    return negotiated;
  }

  /** Whether a value of the header is empty or has an empty entry ({@code "a/b,"}, {@code ", ,"}). */
  private static boolean hasEmptyEntry(List<String> values) {
    if (values == null) return false;
    for (String value : values) {
      for (String entry : value.split(",", -1)) {
        if (entry.isBlank()) return true;
      }
    }
    return false;
  }

  /**
   * The accepted types without the JSON types in another charset than UTF-8, in the header's order,
   * and the charset of the first of those by specificity and quality (Spring's order), or null when
   * none was left out.
   */
  private record Kept(List<MediaType> types, Charset leftOut) {}

  /** @param accepted the header's types, at most {@link #MAX_ACCEPTED_TYPES} */
  private static Kept keep(List<MediaType> accepted) {
    List<MediaType> kept = new ArrayList<>(accepted.size());
    for (MediaType type : accepted) {
      Charset charset = jsonCharset(type);
      if (charset == null || isAnswerCharset(charset)) kept.add(type);
    }
    if (kept.size() == accepted.size()) return new Kept(accepted, null);
    List<MediaType> sorted = new ArrayList<>(accepted);
    MimeTypeUtils.sortBySpecificity(sorted);
    Charset leftOut = sorted.stream().map(AcceptedTypes::jsonCharset)
        .filter(c -> c != null && !isAnswerCharset(c)).findFirst().orElseThrow();
    return new Kept(kept, leftOut);
  }

  private static NotAcceptableStatusException notJsonInUtf8(Charset charset) {
    return new NotAcceptableStatusException("Not Acceptable: the answer is JSON in UTF-8, not " + charset.name());
  }

  /**
   * Spring's 406 for a request whose {@code Accept} named JSON only in another charset than UTF-8,
   * on a route that answers JSON, as {@link #notJsonInUtf8}; any other 406 as it is.
   */
  static Throwable explain(ServerWebExchange exchange, NotAcceptableStatusException e) {
    Charset leftOut = exchange.getAttribute(LEFT_OUT_CHARSET);
    if (leftOut == null || e.getSupportedMediaTypes().stream().noneMatch(MediaType.APPLICATION_JSON::isCompatibleWith)) {
      return e;
    }
    return notJsonInUtf8(leftOut);
  }

  /**
   * Whether answers can be written in {@code charset}: UTF-8 only (RFC 8259 section 8.1: JSON
   * exchanged between systems is UTF-8). Not US-ASCII: Spring's JSON encoder writes it as UTF-8,
   * so a non-ASCII character went out as UTF-8 bytes under a {@code us-ascii} label; and in UTF-16
   * or UTF-32 listings were not valid JSON (brackets and commas in single bytes).
   */
  static boolean isAnswerCharset(Charset charset) {
    return charset.equals(StandardCharsets.UTF_8);
  }

  /**
   * The charset a concrete JSON type names, or null: none named, or a wildcard type (answered as
   * {@code application/json} without a charset). A charset Java does not know cannot get here
   * (Spring's parser refuses the header); should one, it is left to Spring, which matches it with
   * nothing.
   */
  private static Charset jsonCharset(MediaType type) {
    if (!type.isConcrete() || !type.isCompatibleWith(MediaType.APPLICATION_JSON)) return null;
    try {
      return type.getCharset();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
