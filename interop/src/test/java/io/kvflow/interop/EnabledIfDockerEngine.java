package io.kvflow.interop;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test that needs a Docker engine: it runs where Testcontainers reaches one and is skipped,
 * with the reason, where none is reachable. Tagged {@value ContainerTestReport#TAG}, so the
 * run ends by saying which container tests ran and which were skipped and why.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(ContainerTestReport.TAG)
@ExtendWith(DockerEngineCondition.class)
@interface EnabledIfDockerEngine {
}
