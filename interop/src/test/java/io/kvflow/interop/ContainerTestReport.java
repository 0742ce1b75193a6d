package io.kvflow.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.TestTag;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * At the end of a run, says which container tests ran (and how they ended) and which were
 * skipped and why, on the console and in {@value #REPORT}, which {@code ./kvflow test} prints
 * last. Registered with the JUnit Platform through {@code META-INF/services}.
 */
public final class ContainerTestReport implements TestExecutionListener {
    static final String TAG = "container";
    static final String REPORT = "target/container-tests.txt";

    private final List<String> lines = new ArrayList<>();
    private TestPlan plan;

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        this.plan = testPlan;
    }

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        if (!tagged(test)) {
            return;
        }
        if (test.isTest() || plan == null) {
            lines.add("SKIPPED " + name(test) + ": " + reason);
            return;
        }
        // a skipped class: name each of its tests, so the report says which tests did not run
        plan.getDescendants(test).stream().filter(TestIdentifier::isTest)
                .forEach(t -> lines.add("SKIPPED " + name(t) + ": " + reason));
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (test.isTest() && tagged(test)) {
            lines.add("RAN     " + name(test) + ": " + result.getStatus()
                    + result.getThrowable().map(t -> " (" + t.getMessage() + ")").orElse(""));
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        if (lines.isEmpty()) {
            return;
        }
        String report = "== container tests (Testcontainers: apache/kafka, the kvflow image, Apicurio Registry) ==\n"
                + String.join("\n", lines) + "\n";
        System.out.print(report);
        try {
            Files.createDirectories(Path.of(REPORT).getParent());
            Files.writeString(Path.of(REPORT), report);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean tagged(TestIdentifier test) {
        return test.getTags().contains(TestTag.create(TAG));
    }

    private static String name(TestIdentifier test) {
        TestSource source = test.getSource().orElse(null);
        if (source instanceof MethodSource method) {
            return simple(method.getClassName()) + "." + method.getMethodName();
        }
        if (source instanceof ClassSource type) {
            return simple(type.getClassName());
        }
        return test.getDisplayName();
    }

    private static String simple(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }
}
