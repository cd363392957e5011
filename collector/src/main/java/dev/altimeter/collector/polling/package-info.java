/**
 * The polling agent: Ceilometer's polling.yaml ({@link dev.altimeter.collector.polling.PollingConfig}),
 * the scheduler ({@link dev.altimeter.collector.polling.PollingAgent}), the pollster SPI
 * ({@link dev.altimeter.collector.polling.Pollster}) and the factory that builds pollsters from typed
 * configuration ({@link dev.altimeter.collector.polling.PollsterFactory}). Pollsters live in
 * {@code host} (/proc and /sys), {@code dynamic} (Ceilometer dynamic pollsters over HTTP),
 * {@code prometheus} (exporter scraping); {@code partition} splits resources across agents.
 * See docs/polling.md.
 */
package dev.altimeter.collector.polling;
