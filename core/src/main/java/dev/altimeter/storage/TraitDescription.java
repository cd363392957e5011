package dev.altimeter.storage;

/** A trait an event type has carried: its name and value type (the v2 API's {@code /traits}). */
public record TraitDescription(String name, TraitType type) {}
