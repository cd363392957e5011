package dev.altimeter.api.v2;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.accept.HeaderContentTypeResolver;
import org.springframework.web.reactive.accept.RequestedContentTypeResolver;
import org.springframework.web.server.NotAcceptableStatusException;
import org.springframework.web.server.ServerWebExchange;

/**
 * The media types a request accepts, as Spring's content negotiation uses them: to match a route's
 * {@code produces} (before its handler runs, so a refused sample POST stores nothing) and to pick
 * the type an answer is written in. The {@code Accept} header's types as Spring reads them ({@link
 * HeaderContentTypeResolver}: by specificity, then quality; every type when none; 406 when
 * unparsable), with two rules of ours:
 *
 * <ul>
 *   <li>More than {@value #MAX_ACCEPTED_TYPES} types is 406, {@code Not Acceptable: the Accept
 *       header may name at most 50 media types}: Spring's sorting throws past that many, which its
 *       resolver does not catch (a 500).
 *   <li>A JSON type naming another charset than UTF-8 is dropped: no answer is written in it. When
 *       that leaves nothing a JSON route can answer, Spring's 406 says so ({@link #explain}); a route
 *       answering something else (the console's HTML) is not concerned.
 * </ul>
 *
 * <p>Registered by {@link ApiWebFluxConfiguration}.
 */
final class AcceptedTypes implements RequestedContentTypeResolver {
  /** The most media types Spring's content negotiation sorts ({@code MimeTypeUtils.sortBySpecificity}). */
  static final int MAX_ACCEPTED_TYPES = 50;
  /** The exchange attribute holding the charset of the first JSON type dropped (a {@link Charset}). */
  private static final String DROPPED_CHARSET = AcceptedTypes.class.getName() + ".droppedCharset";

  private final HeaderContentTypeResolver header = new HeaderContentTypeResolver();

  @Override
  public List<MediaType> resolveMediaTypes(ServerWebExchange exchange) {
    if (count(exchange) > MAX_ACCEPTED_TYPES) {
      throw new ApiError(HttpStatus.NOT_ACCEPTABLE,
          "Not Acceptable: the Accept header may name at most " + MAX_ACCEPTED_TYPES + " media types");
    }
    List<MediaType> accepted = new ArrayList<>(header.resolveMediaTypes(exchange));
    Charset dropped = null;
    for (var types = accepted.iterator(); types.hasNext(); ) {
      Charset charset = jsonCharset(types.next());
      if (charset != null && !isAnswerCharset(charset)) {
        if (dropped == null) dropped = charset;
        types.remove();
      }
    }
    if (dropped != null) exchange.getAttributes().put(DROPPED_CHARSET, dropped);
    return accepted;
  }

  /**
   * Spring's 406 for a request whose {@code Accept} named JSON only in another charset than UTF-8,
   * on a route that answers JSON, as {@code Not Acceptable: the answer is JSON in UTF-8, not X} (X
   * the first such charset by specificity and quality); any other 406 as it is.
   */
  static Throwable explain(ServerWebExchange exchange, NotAcceptableStatusException e) {
    Charset dropped = exchange.getAttribute(DROPPED_CHARSET);
    if (dropped == null || e.getSupportedMediaTypes().stream().noneMatch(MediaType.APPLICATION_JSON::isCompatibleWith)) {
      return e;
    }
    return new ApiError(HttpStatus.NOT_ACCEPTABLE, "Not Acceptable: the answer is JSON in UTF-8, not " + dropped.name());
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

  /** The types in the header, or 0 when it cannot be parsed (Spring's resolver answers 406 for that). */
  private static int count(ServerWebExchange exchange) {
    try {
      return exchange.getRequest().getHeaders().getAccept().size();
    } catch (InvalidMediaTypeException e) {
      return 0;
    }
  }

  /**
   * The charset a concrete JSON type names, or null: none named, a wildcard type (answered as
   * {@code application/json} without a charset), or a charset Java does not know (left to Spring,
   * which matches it with nothing).
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
