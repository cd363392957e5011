package dev.altimeter.deploy;

import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;

/** The {@code api} role: the Ceilometer v2 query API. Without it the API port serves only the receivers (the actuator has its own port). */
@Configuration(proxyBeanMethods = false)
@ConditionalOnRole(AltimeterProperties.Role.API)
@ComponentScan("dev.altimeter.api")
class ApiConfiguration {}
