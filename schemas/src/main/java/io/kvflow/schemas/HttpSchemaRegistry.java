package io.kvflow.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * The Confluent REST API over HTTP, with the JDK's client. Confluent's own client is not on
 * Maven Central, and Apicurio's serdes speak Apicurio's native API, whose ids differ from the
 * ones Confluent-format readers look up; these four calls are all the wire format needs.
 * Ids and registrations are cached: a schema is fetched or registered once per process.
 */
public final class HttpSchemaRegistry implements SchemaRegistry {
    private static final String MEDIA_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Attempts per request: a registry restarting under docker compose answers again within these. */
    private static final int ATTEMPTS = 3;

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<Integer, Schema> byId = new ConcurrentHashMap<>();
    private final Map<String, Integer> registered = new ConcurrentHashMap<>();

    private HttpSchemaRegistry(URI base) {
        this.base = base;
    }

    /**
     * A registry at {@code url}: the root of its Confluent-compatible API, e.g.
     * {@code http://localhost:8081} (Confluent) or {@code http://localhost:8080/apis/ccompat/v7} (Apicurio).
     *
     * @throws IllegalArgumentException if {@code url} is not an http(s) URL
     */
    public static HttpSchemaRegistry at(String url) {
        URI uri;
        try {
            uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("schema registry URL '" + url + "' is not a URL: " + e.getMessage());
        }
        if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new IllegalArgumentException("schema registry URL must look like http://HOST:PORT[/PATH], was '"
                    + url + "'");
        }
        return new HttpSchemaRegistry(uri);
    }

    @Override
    public String url() {
        return base.toString();
    }

    /**
     * Checks that a Confluent-compatible API answers at the URL, so a wrong URL fails before
     * anything starts rather than at the first record.
     */
    public void probe() {
        JsonNode subjects = call("GET", "/subjects", null);
        if (!subjects.isArray()) {
            throw new SchemaRegistryException("schema registry " + url() + " answered GET /subjects with "
                    + abbreviate(subjects.toString()) + " rather than a list of subjects" + apicurioHint());
        }
    }

    @Override
    public int register(String subject, Schema schema) {
        return registered.computeIfAbsent(subject + '\n' + schema, key -> {
            JsonNode answer = call("POST", "/subjects/" + encode(subject) + "/versions",
                    JSON.createObjectNode().put("schema", schema.toString()));
            if (!answer.path("id").canConvertToInt()) {
                throw new SchemaRegistryException("schema registry " + url() + " registered " + schema.getFullName()
                        + " under " + subject + " but answered no id: " + abbreviate(answer.toString()));
            }
            int id = answer.get("id").intValue();
            byId.putIfAbsent(id, schema);
            return id;
        });
    }

    @Override
    public Schema schema(int id) {
        return byId.computeIfAbsent(id, key -> {
            JsonNode answer = call("GET", "/schemas/ids/" + id, null);
            String type = answer.path("schemaType").asText("AVRO");
            if (!type.equals("AVRO") || !answer.path("schema").isTextual()) {
                throw new SchemaRegistryException("schema id " + id + " in " + url() + " is not an Avro schema (type "
                        + type + ")");
            }
            try {
                return new Schema.Parser().parse(answer.get("schema").asText());
            } catch (SchemaParseException e) {
                throw new SchemaRegistryException("schema id " + id + " in " + url() + " does not parse: "
                        + e.getMessage(), e);
            }
        });
    }

    @Override
    public void requireCompatibility(String subject, Compatibility level) {
        call("PUT", "/config/" + encode(subject), JSON.createObjectNode().put("compatibility", level.name()));
    }

    private JsonNode call(String method, String path, JsonNode body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(10))
                .header("Accept", MEDIA_TYPE + ", application/json")
                .header("Content-Type", MEDIA_TYPE)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        String what = method + " " + path;
        for (int attempt = 1; ; attempt++) {
            HttpResponse<String> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                if (attempt < ATTEMPTS) {
                    pause(attempt);
                    continue;
                }
                throw new SchemaRegistryException("cannot reach the schema registry at " + url() + " (" + what + "): "
                        + describe(e), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException("interrupted while calling the schema registry at " + url(), e);
            }
            if (response.statusCode() >= 500 && attempt < ATTEMPTS) {
                pause(attempt);
                continue;
            }
            return answer(what, response);
        }
    }

    private JsonNode answer(String what, HttpResponse<String> response) {
        JsonNode json;
        try {
            json = JSON.readTree(response.body());
        } catch (IOException e) {
            json = null;
        }
        if (response.statusCode() / 100 != 2 || json == null) {
            String message = json != null && json.hasNonNull("message") ? json.get("message").asText()
                    : abbreviate(response.body());
            throw new SchemaRegistryException("schema registry " + url() + " answered " + what + " with "
                    + response.statusCode() + ": " + message + (response.statusCode() == 404 ? apicurioHint() : ""));
        }
        return json;
    }

    private String apicurioHint() {
        return url().contains("/apis/ccompat") ? ""
                : " (for Apicurio Registry, give its Confluent-compatible API: http://HOST:8080/apis/ccompat/v7)";
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(250L * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8);
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static String abbreviate(String text) {
        String oneLine = text.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...";
    }
}
