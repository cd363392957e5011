package dev.altimeter.api.v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Start-up checks of {@link RequestFilter} and {@link ApiSettings}. */
@ExtendWith(OutputCaptureExtension.class)
class RequestFilterTest {
  @Test
  void headersModeWarnsThatItNeedsAProxy(CapturedOutput output) {
    new RequestFilter(new ApiSettings("headers", "", ""), new StaticListableBeanFactory().getBeanProvider(
        dev.altimeter.storage.TokenStore.class));
    assertThat(output.getOut() + output.getErr()).contains("must sit behind an authenticating proxy");
  }

  @Test
  void tokenModeNeedsATokenStoreAndDoesNotWarn(CapturedOutput output) {
    assertThatThrownBy(() -> new RequestFilter(new ApiSettings("token", "", ""),
        new StaticListableBeanFactory().getBeanProvider(dev.altimeter.storage.TokenStore.class)))
        .hasMessageContaining("needs a TokenStore");
    assertThat(output.getOut() + output.getErr()).doesNotContain("authenticating proxy");
  }

  @Test
  void settings() {
    ApiSettings s = new ApiSettings("TOKEN", "telemetry/", " http://a.example ,http://b.example,");
    assertThat(s.auth).isEqualTo(ApiSettings.Auth.TOKEN);
    assertThat(s.prefix).isEqualTo("/telemetry");
    assertThat(s.allowedOrigins).containsExactly("http://a.example", "http://b.example");
    assertThatThrownBy(() -> new ApiSettings("keystone", "", "")).hasMessageContaining("headers or token");
  }
}
