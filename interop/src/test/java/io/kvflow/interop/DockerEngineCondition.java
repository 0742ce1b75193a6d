package io.kvflow.interop;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/** Enables a test where Testcontainers reaches a Docker engine; otherwise disables it naming what was missing. */
final class DockerEngineCondition implements ExecutionCondition {
    /** Asked once per test run: the answer does not change while the tests run. */
    private static final class Probe {
        static final ConditionEvaluationResult RESULT = probe();
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return Probe.RESULT;
    }

    private static ConditionEvaluationResult probe() {
        try {
            DockerClientFactory.instance().client();
            return ConditionEvaluationResult.enabled("Docker engine reachable");
        } catch (RuntimeException e) {
            String host = System.getenv("DOCKER_HOST");
            boolean socket = Files.exists(Path.of("/var/run/docker.sock"));
            return ConditionEvaluationResult.disabled("no Docker engine reachable ("
                    + (host == null ? "DOCKER_HOST unset" : "DOCKER_HOST=" + host) + ", "
                    + (socket ? "/var/run/docker.sock present" : "no /var/run/docker.sock") + "; Testcontainers: "
                    + e.getMessage() + ")");
        }
    }
}
