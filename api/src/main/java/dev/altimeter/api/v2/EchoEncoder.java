package dev.altimeter.api.v2;

import dev.altimeter.storage.Sample;
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
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.util.MimeType;
import org.springframework.util.MimeTypeUtils;
import reactor.core.publisher.Flux;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.ObjectWriter;

/**
 * Writes {@link MetersController.Echo}, the 201 answer of a sample POST, all of it in the charset the
 * answer was negotiated for (and its {@code Content-Type} names), with the choice Spring's JSON
 * encoder made for the {@code Flux} of maps it replaced: the JSON encodings (UTF-8, UTF-16 and
 * UTF-32 of either byte order) as such, US-ASCII as UTF-8; any other charset is refused, so Spring
 * answers it as it did then (no encoder: 500). An encoder, not buffers from the handler: only the
 * writer knows the negotiated charset, and buffers go out as they are, whatever the header says.
 */
final class EchoEncoder extends AbstractEncoder<MetersController.Echo> {
  /** The echo's JSON, as every other answer's ({@link PythonJson}), one sample at a time. */
  private static final ObjectWriter ECHO = PythonJson.MAPPER.writer().with(PythonJson.ELEMENT_PRINTER);
  /** Samples per buffer of the echo: about 100 kB. */
  static final int ECHO_CHUNK = 256;
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
    return Flux.from(echoes).concatMap(echo -> write(echo.samples(), buffers, encoding));
  }

  /**
   * The 201 answer: the samples as OldSamples, the JSON array Spring's encoder wrote of a {@code Flux}
   * of {@link Representations#oldSample} maps, byte for byte ({@code PostEchoBytesTest}), but written
   * straight from the samples ({@link Representations#writeOldSample}), {@value #ECHO_CHUNK} samples
   * to a buffer: a 100,000-sample answer is never one list of maps nor one buffer, and a 1,000-sample
   * one is a few buffers, not a thousand. In {@code encoding}, the charset of the answer.
   */
  static Flux<DataBuffer> write(List<Sample> samples, DataBufferFactory buffers, JsonEncoding encoding) {
    int chunks = (samples.size() + ECHO_CHUNK - 1) / ECHO_CHUNK;
    return Flux.range(0, chunks).map(c ->
        echoChunk(samples, c * ECHO_CHUNK, Math.min(samples.size(), (c + 1) * ECHO_CHUNK), buffers, encoding));
  }

  private static DataBuffer echoChunk(List<Sample> samples, int from, int to, DataBufferFactory buffers,
      JsonEncoding encoding) {
    // about 400 bytes a sample with a little metadata (in UTF-8); the buffer grows when needed
    DataBuffer buffer = buffers.allocateBuffer((to - from) * 512);
    boolean written = false;
    try (JsonGenerator json = ECHO.createGenerator(buffer.asOutputStream(), encoding)) {
      if (from == 0) json.writeRaw('[');
      for (int i = from; i < to; i++) {
        if (i > 0) json.writeRaw(',');
        Representations.writeOldSample(json, samples.get(i));
      }
      if (to == samples.size()) json.writeRaw(']');
      written = true;
    } finally {
      if (!written) DataBufferUtils.release(buffer);
    }
    return buffer;
  }
}

