package dev.altimeter.api.v2;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a handler that answers anyone, identified or not (the version document, the API
 * description). Every other handler takes a {@link Caller} parameter, which authenticates the
 * request; {@code HandlerAuthorizationTest} fails the build when a handler has neither.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@interface Public {}
