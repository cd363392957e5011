/**
 * Publishers: the {@link dev.altimeter.collector.pipeline.publish.Publisher} SPI, the
 * {@link dev.altimeter.collector.pipeline.publish.PublisherRegistry} selecting one by URL scheme,
 * the built-in file, http(s), udp, tcp and prometheus publishers. Ceilometer's wire dicts, msgpack
 * and message signing are core's codec ({@link dev.altimeter.wire.WireFormat}, {@link
 * dev.altimeter.wire.MsgPack}, {@link dev.altimeter.wire.MessageSigner}).
 */
package dev.altimeter.collector.pipeline.publish;
