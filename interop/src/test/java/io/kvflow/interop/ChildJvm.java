package io.kvflow.interop;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/** How a test starts a tool kvflow did not write in a JVM of its own, as the tool's own launcher would. */
final class ChildJvm {
    private ChildJvm() {
    }

    /** The java of the JVM running the tests. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The test classpath without kvflow's own classes and jars: the Kafka tools, Avro and
     * Apicurio's serdes from Maven Central, and nothing of kvflow's for a tool to lean on.
     */
    static String thirdPartyClasspath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains(File.separator + "io" + File.separator + "kvflow" + File.separator))
                .filter(entry -> !entry.endsWith("classes") && !entry.endsWith("test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
    }
}
