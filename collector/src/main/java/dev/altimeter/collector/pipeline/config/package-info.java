/**
 * Ceilometer's pipeline.yaml and event_pipeline.yaml, parsed and validated into {@link
 * dev.altimeter.collector.pipeline.config.PipelineConfig} by {@link
 * dev.altimeter.collector.pipeline.config.PipelineConfigParser} over the shared {@link
 * dev.altimeter.collector.config.ConfigNode}; sources select with {@link
 * dev.altimeter.collector.config.MeterFilter}.
 */
package dev.altimeter.collector.pipeline.config;
