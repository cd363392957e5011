package dev.altimeter.api.v2;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Every handler of the API either takes a {@link Caller} (and so authenticates its request) or is
 * marked {@link Public}: a new endpoint cannot be open by omission.
 */
class HandlerAuthorizationTest {
  @Test
  void everyHandlerAuthenticatesOrIsMarkedPublic() throws Exception {
    var scanner = new ClassPathScanningCandidateComponentProvider(false);
    scanner.addIncludeFilter(new AnnotationTypeFilter(RestController.class));
    List<String> handlers = new ArrayList<>();
    List<String> open = new ArrayList<>();
    for (BeanDefinition d : scanner.findCandidateComponents("dev.altimeter.api")) {
      for (Method m : Class.forName(d.getBeanClassName()).getDeclaredMethods()) {
        if (!AnnotatedElementUtils.hasAnnotation(m, RequestMapping.class)) continue;
        handlers.add(m.toString());
        boolean authenticates = Arrays.asList(m.getParameterTypes()).contains(Caller.class);
        if (authenticates == m.isAnnotationPresent(Public.class)) open.add(m.toString());
      }
    }
    assertThat(handlers).hasSizeGreaterThan(15);
    assertThat(open).as("handlers with neither a Caller parameter nor @Public (or both)").isEmpty();
  }
}
