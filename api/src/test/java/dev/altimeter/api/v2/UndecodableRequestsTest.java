package dev.altimeter.api.v2;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The gate's ordering contract, on an in-memory channel: the fault goes out after every earlier answer. */
class UndecodableRequestsTest {
  private final UndecodableRequests requests = new UndecodableRequests(4096, 8192);
  private final EmbeddedChannel channel = new EmbeddedChannel(requests.new Gate());

  @Test
  void aFailedFirstRequestIsAnsweredAtOnceAndTheConnectionClosed() {
    channel.writeInbound(failed(new TooLongHttpLineException("An HTTP line is larger than 4096 bytes.")));

    assertThat((Object) channel.readInbound()).as("passed on").isNull();
    assertFault(414, "URI too long: the request line may have at most 4096 bytes");
  }

  @Test
  void theFaultWaitsForTheAnswersOfEarlierRequests() {
    channel.writeInbound(request(), request(), failed(new TooLongHttpHeaderException("HTTP header is larger")));
    assertThat((Object) channel.readInbound()).isNotNull();
    assertThat((Object) channel.readInbound()).isNotNull();

    channel.writeOutbound(answer(HttpResponseStatus.OK));
    assertThat(((FullHttpResponse) channel.readOutbound()).status().code()).isEqualTo(200);
    assertThat((Object) channel.readOutbound()).as("the fault before the second answer").isNull();
    assertThat(channel.isOpen()).isTrue();

    channel.writeOutbound(answer(HttpResponseStatus.OK));
    assertThat(((FullHttpResponse) channel.readOutbound()).status().code()).isEqualTo(200);
    assertFault(431, "Request header fields too large: the headers may have at most 8192 bytes in all");
  }

  @Test
  void aContinueIsNotAnAnswer() {
    channel.writeInbound(request(), failed(new IllegalArgumentException("Validation failed for header 'X-A'")));

    channel.writeOutbound(answer(HttpResponseStatus.CONTINUE));
    channel.readOutbound();
    assertThat((Object) channel.readOutbound()).as("the fault after a 100 Continue").isNull();

    channel.writeOutbound(answer(HttpResponseStatus.CREATED));
    channel.readOutbound();
    assertFault(400, "Malformed HTTP request: Validation failed for header 'X-A'");
  }

  @Test
  void nothingAfterAFailureIsPassedOn() {
    channel.writeInbound(request(), failed(new IllegalArgumentException("bad")), request());

    assertThat((Object) channel.readInbound()).isNotNull();
    assertThat((Object) channel.readInbound()).as("the request after the failed one").isNull();
  }

  @Test
  void anotherHttpVersionIsRefused() {
    channel.writeInbound(new DefaultHttpRequest(HttpVersion.valueOf("HTTP/2.0"), HttpMethod.GET, "/v2/meters"));

    assertThat((Object) channel.readInbound()).as("passed on").isNull();
    assertFault(400, "Malformed HTTP request: HTTP/2.0 is not supported, this server speaks HTTP/1.1");
  }

  @Test
  void aLongDetailIsCut() {
    channel.writeInbound(failed(new IllegalArgumentException("x".repeat(5_000))));

    assertFault(400, "Malformed HTTP request: " + "x".repeat(200) + "...");
  }

  /** The next thing written is the fault document with this status and faultstring, and then the channel closed. */
  private void assertFault(int status, String faultstring) {
    FullHttpResponse fault = channel.readOutbound();
    assertThat(fault.status().code()).isEqualTo(status);
    assertThat(fault.headers().get("Connection")).isEqualTo("close");
    assertThat(fault.headers().get("Content-Type")).isEqualTo("application/json");
    assertThat(fault.content().toString(StandardCharsets.UTF_8)).isEqualTo(
        "{\"error_message\": {\"faultcode\": \"Client\", \"faultstring\": \"" + faultstring + "\", \"debuginfo\": null}}");
    assertThat(fault.headers().getInt("Content-Length")).isEqualTo(fault.content().readableBytes());
    assertThat(channel.isOpen()).as("open after the fault").isFalse();
  }

  private static HttpRequest request() {
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/v2/meters");
  }

  private static HttpRequest failed(Throwable cause) {
    HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/bad-request");
    request.setDecoderResult(DecoderResult.failure(cause));
    return request;
  }

  private static FullHttpResponse answer(HttpResponseStatus status) {
    return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
  }
}
