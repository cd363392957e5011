package dev.altimeter.api.v2;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.reactivestreams.Publisher;
import org.springframework.core.ResolvableType;
import org.springframework.core.codec.AbstractEncoder;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.util.MimeType;
import org.springframework.util.MimeTypeUtils;
import reactor.core.publisher.Flux;
import tools.jackson.core.JsonEncoding;

/**
 * Writes {@link MetersController.Echo}, the 201 answer of a sample POST, all of it in the charset the
 * answer was negotiated for (and its {@code Content-Type} names), with the choice Spring's JSON
 * encoder made for the {@code Flux} of maps it replaced: the JSON encodings (UTF-8, UTF-16 and
 * UTF-32 of either byte order) as such, US-ASCII as UTF-8; any other charset is refused, so Spring
 * answers it as it did then (no encoder: 500). An encoder, not buffers from the handler: only the
 * writer knows the negotiated charset, and buffers go out as they are, whatever the header says.
 */
final class EchoEncoder extends AbstractEncoder<MetersController.Echo> {
  /** By {@code Charset.name()}: the table of Spring's {@code AbstractJacksonEncoder}. */
  private static final Map<String, JsonEncoding> ENCODINGS = new HashMap<>();

  static {
    for (JsonEncoding encoding : JsonEncoding.values()) ENCODINGS.put(encoding.getJavaName(), encoding);
    ENCODINGS.put("US-ASCII", JsonEncoding.UTF8);
  }

  EchoEncoder() {
    super(MediaType.APPLICATION_JSON);
  }

  /**
   * Refuses with 406, before anything is read or stored, a POST whose {@code Accept} asks for JSON in
   * a charset that is no JSON encoding: Spring would pick that charset and find no encoder only when
   * writing the answer, after the samples were stored (500). Spring's choice, mirrored: the accepted
   * types by specificity and quality, the first compatible with {@code application/json}; a wildcard
   * one is answered as {@code application/json} without a charset. (No JSON type at all, or an
   * {@code Accept} that cannot be parsed, Spring's mapping refuses before the handler: 406.)
   */
  static void requireWritable(HttpHeaders headers) {
    List<MediaType> accepted = new ArrayList<>(headers.getAccept());
    MimeTypeUtils.sortBySpecificity(accepted);
    for (MediaType type : accepted) {
      if (!type.isCompatibleWith(MediaType.APPLICATION_JSON)) continue;
      Charset charset = type.isConcrete() ? type.getCharset() : null;
      if (charset != null && !ENCODINGS.containsKey(charset.name())) {
        throw new ApiError(HttpStatus.NOT_ACCEPTABLE,
            "Not Acceptable: the answer is JSON in UTF-8, UTF-16 or UTF-32, not " + charset.name());
      }
      return;
    }
  }

  @Override
  public boolean canEncode(ResolvableType elementType, MimeType mimeType) {
    return MetersController.Echo.class.equals(elementType.toClass()) && super.canEncode(elementType, mimeType)
        && (mimeType == null || mimeType.getCharset() == null || ENCODINGS.containsKey(mimeType.getCharset().name()));
  }

  @Override
  public Flux<DataBuffer> encode(Publisher<? extends MetersController.Echo> echoes, DataBufferFactory buffers,
      ResolvableType elementType, MimeType mimeType, Map<String, Object> hints) {
    JsonEncoding encoding = mimeType == null || mimeType.getCharset() == null ? JsonEncoding.UTF8
        : ENCODINGS.getOrDefault(mimeType.getCharset().name(), JsonEncoding.UTF8);
    return Flux.from(echoes).concatMap(echo -> MetersController.echo(echo.samples(), buffers, encoding));
  }
}
