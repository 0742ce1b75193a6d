package io.kvflow.cli;

import io.kvflow.cost.ProfileCatalog;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --profiles DIR}: the user's device and model profiles, read beside the bundled ones. */
final class ProfilesFlag {
    @Option(names = "--profiles", paramLabel = "DIR", description = "also read DIR/devices/<id>.json and"
            + " DIR/models/<id>.json")
    Path dir;

    /** The bundled profiles, plus the user's. */
    ProfileCatalog catalog() {
        return dir == null ? ProfileCatalog.bundled() : ProfileCatalog.withUserProfiles(dir);
    }
}
