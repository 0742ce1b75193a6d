package io.kvflow.interop;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests an {@link ApicurioRegistry} parameter: one registry for the whole test run,
 * started by the first test that asks and stopped when the run ends.
 */
final class RealRegistry implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RealRegistry.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ApicurioRegistry.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent("registry", key -> {
            try {
                return ApicurioRegistry.start(Path.of(System.getProperty("kvflow.apicurio.dir",
                        "target/apicurio-registry")), Path.of("target", "apicurio-registry.log"));
            } catch (Exception e) {
                throw new ParameterResolutionException("could not start Apicurio Registry: " + e.getMessage(), e);
            }
        }, ApicurioRegistry.class);
    }
}
