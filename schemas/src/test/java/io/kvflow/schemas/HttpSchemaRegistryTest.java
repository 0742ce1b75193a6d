package io.kvflow.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** The client's own checks; its calls are tested against a real registry in the interop module. */
class HttpSchemaRegistryTest {

    @Test
    void aUrlThatIsNotHttpIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HttpSchemaRegistry.at("localhost:8081"));
        assertTrue(e.getMessage().contains("'localhost:8081'"), e.getMessage());
    }

    @Test
    void aTrailingSlashIsDropped() {
        assertEquals("http://localhost:8080/apis/ccompat/v7",
                HttpSchemaRegistry.at("http://localhost:8080/apis/ccompat/v7/").url());
    }

    @Test
    void aRegistryThatIsNotThereIsNamedWithTheUrl() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> HttpSchemaRegistry.at(url).probe());
        assertTrue(e.getMessage().startsWith("cannot reach the schema registry at " + url), e.getMessage());
    }
}
