package dev.altimeter.deploy;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.EnumSet;
import java.util.Set;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** The annotated configuration is loaded only when {@code altimeter.roles} includes the role. */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Conditional(ConditionalOnRole.RoleCondition.class)
@interface ConditionalOnRole {
  AltimeterProperties.Role value();

  final class RoleCondition implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      AltimeterProperties.Role role = (AltimeterProperties.Role) metadata
          .getAnnotationAttributes(ConditionalOnRole.class.getName()).get("value");
      return roles(context.getEnvironment()).contains(role);
    }

    /** {@code altimeter.roles} as the properties bind it: every role when unset. */
    static Set<AltimeterProperties.Role> roles(Environment environment) {
      return Binder.get(environment).bind("altimeter.roles", Bindable.setOf(AltimeterProperties.Role.class))
          .orElse(EnumSet.allOf(AltimeterProperties.Role.class));
    }
  }
}
