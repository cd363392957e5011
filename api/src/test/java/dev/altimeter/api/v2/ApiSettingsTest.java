package dev.altimeter.api.v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.util.unit.DataSize;

/** Start-up checks of {@link CallerResolver} and {@link ApiSettings}. */
@ExtendWith(OutputCaptureExtension.class)
class ApiSettingsTest {
  @Test
  void eachModeSaysWhatItTrusts(CapturedOutput output) {
    new CallerResolver(ApiSettings.Auth.HEADERS, null, Clock.systemUTC());
    assertThat(output.getOut() + output.getErr()).contains("must sit behind an authenticating proxy");
    new CallerResolver(ApiSettings.Auth.NONE, null, Clock.systemUTC());
    assertThat(output.getOut() + output.getErr()).contains("without identity headers is an admin");
  }

  @Test
  void tokenModeNeedsATokenStore() {
    assertThatThrownBy(() -> new CallerResolver(ApiSettings.Auth.TOKEN, null, Clock.systemUTC()))
        .hasMessageContaining("needs a TokenStore");
  }

  @Test
  void settings() {
    ApiSettings s = new ApiSettings("TOKEN", "telemetry/", " http://a.example ,http://b.example,", DataSize.ofMegabytes(1));
    assertThat(s.auth).isEqualTo(ApiSettings.Auth.TOKEN);
    assertThat(s.prefix).isEqualTo("/telemetry");
    assertThat(s.allowedOrigins).containsExactly("http://a.example", "http://b.example");
    assertThat(s.maxRequestSize).isEqualTo(1024 * 1024);
    assertThat(ApiSettings.of("none").auth).isEqualTo(ApiSettings.Auth.NONE);
    assertThatThrownBy(() -> ApiSettings.of("keystone")).hasMessageContaining("none, headers or token");
  }
}
