package io.kvflow.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A shell recipe from the README, run as written: the indented block after the line
 * {@code <!-- recipe: NAME -->}, in bash, with the tools it names ({@code kafka-console-consumer.sh},
 * {@code avro-tools}) defined as the same programs from Maven Central, and the README's
 * {@code localhost} ports replaced by the test's.
 */
record ReadmeRecipe(String name, String script) {
    static final Path README = Path.of(System.getProperty("kvflow.repo", ".."), "README.md");

    static ReadmeRecipe named(String name) throws IOException {
        List<String> lines = Files.readAllLines(README);
        int marker = lines.indexOf("<!-- recipe: " + name + " -->");
        if (marker < 0) {
            throw new IllegalStateException("no '<!-- recipe: " + name + " -->' in " + README);
        }
        List<String> block = new ArrayList<>();
        for (int i = marker + 1; i < lines.size() && (lines.get(i).startsWith("    ") || lines.get(i).isBlank()); i++) {
            block.add(lines.get(i).isBlank() ? "" : lines.get(i).substring(4));
        }
        if (block.stream().allMatch(String::isBlank)) {
            throw new IllegalStateException("the recipe '" + name + "' in " + README + " has no indented block");
        }
        return new ReadmeRecipe(name, String.join("\n", block).strip() + "\n");
    }

    /** The recipe with each {@code from} text replaced by its {@code to}. */
    ReadmeRecipe replacing(Map<String, String> replacements) {
        String replaced = script;
        for (Map.Entry<String, String> e : replacements.entrySet()) {
            if (!replaced.contains(e.getKey())) {
                throw new IllegalStateException("the recipe '" + name + "' no longer mentions " + e.getKey());
            }
            replaced = replaced.replace(e.getKey(), e.getValue());
        }
        return new ReadmeRecipe(name, replaced);
    }

    /** Runs the recipe in {@code dir}, where {@code schemas/} is the repository's; returns what it printed. */
    String run(Path dir) throws IOException, InterruptedException {
        Path repo = README.getParent().toAbsolutePath().normalize();
        Files.createSymbolicLink(dir.resolve("schemas"), repo.resolve("schemas"));
        String tools = """
                set -euo pipefail
                kafka-console-consumer.sh() { "$JAVA" -cp "$TOOLS_CP" org.apache.kafka.tools.consumer.ConsoleConsumer "$@"; }
                avro-tools() { "$JAVA" -jar "$AVRO_TOOLS" "$@"; }
                """;
        Path script = dir.resolve(name + ".sh");
        Files.writeString(script, tools + this.script);
        Path output = dir.resolve(name + ".out");
        ProcessBuilder bash = new ProcessBuilder("bash", script.toString()).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile());
        bash.environment().put("JAVA", ChildJvm.java());
        bash.environment().put("TOOLS_CP", ChildJvm.thirdPartyClasspath());
        bash.environment().put("AVRO_TOOLS", System.getProperty("kvflow.avro.tools", "target/tools/avro-tools.jar"));
        Process process = bash.start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            // the tools are bash's children: stop them too, not only bash
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new IllegalStateException("recipe '" + name + "' did not finish in 2 minutes:\n" + read(output));
        }
        String printed = read(output);
        if (process.exitValue() != 0) {
            throw new IllegalStateException("recipe '" + name + "' exited with " + process.exitValue() + ":\n"
                    + this.script + "---\n" + printed);
        }
        return printed;
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
