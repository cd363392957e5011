/**
 * Publishers: the {@link dev.altimeter.collector.pipeline.publish.Publisher} SPI, the
 * {@link dev.altimeter.collector.pipeline.publish.PublisherRegistry} selecting one by URL scheme,
 * the built-in file, http(s), udp, tcp and prometheus publishers, Ceilometer's wire dicts
 * ({@link dev.altimeter.collector.pipeline.publish.WireFormat}) and message signing
 * ({@link dev.altimeter.collector.pipeline.publish.MessageSigner}).
 */
package dev.altimeter.collector.pipeline.publish;
