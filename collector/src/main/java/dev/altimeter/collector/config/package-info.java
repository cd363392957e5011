/**
 * What every configuration file reader shares: {@link dev.altimeter.collector.config.ConfigNode}
 * (YAML read as PyYAML reads it, every node knowing its file and line), the one {@link
 * dev.altimeter.collector.config.ConfigException} naming file, line and field, and {@link
 * dev.altimeter.collector.config.MeterFilter}, the meter and event type selection of
 * pipeline.yaml, event_pipeline.yaml and polling.yaml.
 */
package dev.altimeter.collector.config;
