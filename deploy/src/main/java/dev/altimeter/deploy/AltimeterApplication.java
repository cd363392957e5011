package dev.altimeter.deploy;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** The Altimeter service: one binary, the roles of {@code altimeter.roles}. */
@SpringBootApplication
@EnableConfigurationProperties(AltimeterProperties.class)
public class AltimeterApplication {
  public static void main(String[] args) {
    SpringApplication.run(AltimeterApplication.class, args);
  }
}
