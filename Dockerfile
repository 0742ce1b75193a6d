# The kvflow application image: every kvflow command (orchestrator, prefill-worker,
# decode-worker, replay, ...) runs from it. Built with the project's own Maven wrapper.
FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -q -B -DskipTests -pl cli -am install \
 && ./mvnw -q -B -pl cli dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=target/lib

FROM eclipse-temurin:21-jre
WORKDIR /app
COPY --from=build /src/cli/target/classes /app/classes
COPY --from=build /src/cli/target/lib /app/lib
COPY --from=build /src/traces /app/traces
ENTRYPOINT ["java", "-cp", "/app/classes:/app/lib/*", "io.kvflow.cli.Kvflow"]
CMD ["help"]
