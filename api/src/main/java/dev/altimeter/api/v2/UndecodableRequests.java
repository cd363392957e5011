package dev.altimeter.api.v2;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.reactor.netty.autoconfigure.NettyServerProperties;
import org.springframework.boot.web.server.autoconfigure.ServerProperties;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * Answers a request that the HTTP decoder could not read (request line or headers over the limits,
 * a forbidden character in a header, a request line that is not HTTP, a target that is not a URI) or
 * of another HTTP version
 * with the fault document, {@code 414}, {@code 431} or {@code 400}, and {@code Connection: close},
 * after every earlier request on the connection has had its answer; then closes the connection.
 *
 * <p>Why not Reactor Netty's own answer: besides an empty body, 1.3.6 hands a failed request that
 * arrives before the previous request's operations have terminated (a keep-alive client that sends
 * its next request as soon as it has read a database answer) to those finished operations, and
 * nobody answers it: the client waits forever. So the failed request never reaches Reactor Netty:
 * this handler sits between the HTTP codec and Reactor Netty's traffic handler, counts the requests
 * it passes on and the answers that go out, and writes its own answer when they are even.
 *
 * <p>The decoder discards everything after a failed request, so the connection cannot go on. The
 * close is a lingering one: the rest of a 70 kB request line may still be on its way, and closing a
 * socket with unread input resets it, which can destroy the answer before the client has read it.
 * So the output is shut down after the answer (the client reads the answer, then the end of the
 * stream), the input is read and dropped until the client closes, and at most {@link #LINGER_SECONDS}
 * later the connection is closed anyway.
 */
@Component
class UndecodableRequests implements NettyServerCustomizer {
  private static final Logger LOG = LoggerFactory.getLogger(UndecodableRequests.class);
  private static final long LINGER_SECONDS = 2;
  private static final int MAX_DETAIL = 200;


  private final long maxRequestLine;
  private final long maxHeaders;

  /**
   * The limits only word the faultstrings: the decoder enforces them, as Spring Boot configured it
   * from the same properties.
   */
  @Autowired
  UndecodableRequests(ObjectProvider<NettyServerProperties> netty, ObjectProvider<ServerProperties> server) {
    this(netty.getIfAvailable(NettyServerProperties::new).getMaxInitialLineLength().toBytes(),
        server.getIfAvailable(ServerProperties::new).getMaxHttpRequestHeaderSize().toBytes());
  }

  UndecodableRequests(long maxRequestLine, long maxHeaders) {
    this.maxRequestLine = maxRequestLine;
    this.maxHeaders = maxHeaders;
  }

  @Override
  public HttpServer apply(HttpServer server) {
    return server.doOnChannelInit((observer, channel, remoteAddress) -> {
      // an HTTP/1.1 connection; other protocols (none configured today) keep Reactor Netty's handling
      if (channel.pipeline().get(NettyPipeline.HttpTrafficHandler) != null) {
        channel.pipeline().addBefore(NettyPipeline.HttpTrafficHandler, "altimeter.undecodableRequests", new Gate());
      }
    });
  }

  /**
   * The answer to a request this server cannot read: one the decoder failed on, or one of another
   * HTTP version (Reactor Netty refuses HTTP/2.0 request lines with the same flaw as decoder
   * failures). Null for a request Reactor Netty can serve.
   */
  FullHttpResponse refusal(HttpRequest request) {
    if (request.decoderResult().isFailure()) return refusal(request.decoderResult().cause());
    String notUri = notUri(request.uri());
    if (notUri != null) {
      // Spring's adapter would answer an empty 400 before any filter could word it
      return fault(HttpStatus.BAD_REQUEST, "Malformed HTTP request: the request target is not a URI: " + cut(notUri));
    }
    if (request.protocolVersion().majorVersion() != 1) {
      // 400 as Reactor Netty answers, not 505: the request is the client's fault, not a server error
      return fault(HttpStatus.BAD_REQUEST,
          "Malformed HTTP request: " + cut(request.protocolVersion().text()) + " is not supported, this server speaks HTTP/1.1");
    }
    return null;
  }

  private FullHttpResponse refusal(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return fault(HttpStatus.URI_TOO_LONG, "URI too long: the request line may have at most " + maxRequestLine + " bytes");
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return fault(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
          "Request header fields too large: the headers may have at most " + maxHeaders + " bytes in all");
    }
    return fault(HttpStatus.BAD_REQUEST,
        "Malformed HTTP request: " + cut(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()));
  }

  /** Why the request target is no URI (RFC 3986: a stray '%', a raw '"', '{', control characters), or null. */
  private static String notUri(String target) {
    try {
      new java.net.URI(target);
      return null;
    } catch (java.net.URISyntaxException e) {
      return e.getReason() + " at index " + e.getIndex();
    }
  }

  /** The decoder's words can quote the request: no more of them than a reader needs. */
  private static String cut(String text) {
    return text.length() > MAX_DETAIL ? text.substring(0, MAX_DETAIL) + "..." : text;
  }

  private static FullHttpResponse fault(HttpStatus status, String message) {
    byte[] body = FaultHandler.document(status, message);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(status.value()), Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    return response;
  }

  /**
   * One connection's gate, between the HTTP codec and Reactor Netty's traffic handler. Runs on the
   * connection's event loop only, so its counters need no synchronisation.
   */
  final class Gate extends ChannelDuplexHandler {
    /** Requests passed on to Reactor Netty. */
    private long passedOn;
    /** Final (non-1xx) answers written out, successfully or not. */
    private long answered;
    /** Whether the answer being written is an informational one (100 Continue): not a final answer. */
    private boolean informational;
    /** The answer to a failed request, until it is written. */
    private FullHttpResponse pendingFault;
    private boolean failed;
    private boolean lingering;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (failed) {
        // the decoder passes nothing on after a failure; the rest of a refused request is dropped too
        ReferenceCountUtil.release(msg);
        return;
      }
      if (msg instanceof HttpRequest request) {
        FullHttpResponse refusal = refusal(request);
        if (refusal != null) {
          failed = true;
          LOG.debug("Refused an unreadable request from {}: {}", ctx.channel().remoteAddress(), refusal.status(),
              request.decoderResult().cause());
          ReferenceCountUtil.release(msg);
          pendingFault = refusal;
          answerWhenEven(ctx);
          return;
        }
        passedOn++;
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof HttpResponse response) {
        informational = response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
      }
      if (msg instanceof LastHttpContent && !informational) {
        ctx.write(msg, promise.unvoid()).addListener(written -> {
          answered++;
          answerWhenEven(ctx);
        });
        return;
      }
      ctx.write(msg, promise);
    }

    /** Writes the fault once every request passed on before it has been answered. */
    private void answerWhenEven(ChannelHandlerContext ctx) {
      if (pendingFault == null || answered < passedOn) return;
      FullHttpResponse answer = pendingFault;
      pendingFault = null;
      // written from here, it goes straight to the codec: Reactor Netty never sees it
      ctx.writeAndFlush(answer).addListener(written -> linger(ctx));
    }

    private void linger(ChannelHandlerContext ctx) {
      if (!(ctx.channel() instanceof DuplexChannel duplex) || !ctx.channel().isActive()) {
        ctx.close();
        return;
      }
      lingering = true;
      ctx.executor().schedule(() -> ctx.close(), LINGER_SECONDS, TimeUnit.SECONDS);
      duplex.shutdownOutput().addListener((ChannelFutureListener) shutdown -> {
        if (shutdown.isSuccess()) {
          ctx.read();
        } else {
          ctx.close();
        }
      });
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      // the codec drops what follows a failure; keep reading it until the client closes
      if (lingering) ctx.read();
      ctx.fireChannelReadComplete();
    }
  }
}
