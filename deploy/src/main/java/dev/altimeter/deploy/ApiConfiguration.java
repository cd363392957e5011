package dev.altimeter.deploy;

import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;

/** The {@code api} role: the Ceilometer v2 query API. Without it only the actuator is served. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnRole(AltimeterProperties.Role.API)
@ComponentScan("dev.altimeter.api")
class ApiConfiguration {}
