package dev.altimeter.api.v2;

import dev.altimeter.storage.Sample;
import java.util.List;
import java.util.Map;
import org.reactivestreams.Publisher;
import org.springframework.core.ResolvableType;
import org.springframework.core.codec.AbstractEncoder;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.util.MimeType;
import reactor.core.publisher.Flux;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.ObjectWriter;

/**
 * Writes {@link MetersController.Echo}, the 201 answer of a sample POST, in UTF-8, the one charset
 * answers are given in ({@link AcceptedTypes} drops a JSON type naming another).
 * An encoder, not buffers from the handler: Spring writes the answer's headers from the negotiated
 * type, and the buffers go out as they are.
 */
final class EchoEncoder extends AbstractEncoder<MetersController.Echo> {
  /** The echo's JSON, as every other answer's ({@link PythonJson}), one sample at a time. */
  private static final ObjectWriter ECHO = PythonJson.MAPPER.writer().with(PythonJson.ELEMENT_PRINTER);
  /** Samples per buffer of the echo: about 100 kB. */
  static final int ECHO_CHUNK = 256;

  EchoEncoder() {
    super(MediaType.APPLICATION_JSON);
  }

  @Override
  public boolean canEncode(ResolvableType elementType, MimeType mimeType) {
    return MetersController.Echo.class.equals(elementType.toClass()) && super.canEncode(elementType, mimeType)
        && (mimeType == null || mimeType.getCharset() == null || AcceptedTypes.isAnswerCharset(mimeType.getCharset()));
  }

  @Override
  public Flux<DataBuffer> encode(Publisher<? extends MetersController.Echo> echoes, DataBufferFactory buffers,
      ResolvableType elementType, MimeType mimeType, Map<String, Object> hints) {
    return Flux.from(echoes).concatMap(echo -> write(echo.samples(), buffers));
  }

  /**
   * The 201 answer: the samples as OldSamples, the JSON array Spring's encoder wrote of a {@code Flux}
   * of {@link Representations#oldSample} maps, byte for byte ({@code PostEchoBytesTest}), but written
   * straight from the samples ({@link Representations#writeOldSample}), {@value #ECHO_CHUNK} samples
   * to a buffer: a 100,000-sample answer is never one list of maps nor one buffer, and a 1,000-sample
   * one is a few buffers, not a thousand.
   */
  static Flux<DataBuffer> write(List<Sample> samples, DataBufferFactory buffers) {
    int chunks = (samples.size() + ECHO_CHUNK - 1) / ECHO_CHUNK;
    return Flux.range(0, chunks).map(c ->
        echoChunk(samples, c * ECHO_CHUNK, Math.min(samples.size(), (c + 1) * ECHO_CHUNK), buffers));
  }

  private static DataBuffer echoChunk(List<Sample> samples, int from, int to, DataBufferFactory buffers) {
    // about 400 bytes a sample with a little metadata; the buffer grows when needed
    DataBuffer buffer = buffers.allocateBuffer((to - from) * 512);
    boolean written = false;
    try (JsonGenerator json = ECHO.createGenerator(buffer.asOutputStream(), JsonEncoding.UTF8)) {
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
