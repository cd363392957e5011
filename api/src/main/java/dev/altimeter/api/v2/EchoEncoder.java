package dev.altimeter.api.v2;

import java.util.HashMap;
import java.util.Map;
import org.reactivestreams.Publisher;
import org.springframework.core.ResolvableType;
import org.springframework.core.codec.AbstractEncoder;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.util.MimeType;
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
