# One image, every service a subcommand:  docker build -t spectroscope:0.1.0 .
#   docker run --rm spectroscope:0.1.0 process --bootstrap-servers kafka:9092
# Every option can also be set as SPECTROSCOPE_<OPTION_NAME> (e.g. SPECTROSCOPE_BOOTSTRAP_SERVERS).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -q -B install -DskipTests

FROM eclipse-temurin:17-jre
ENV SPECTROSCOPE_HOME=/opt/spectroscope \
    OMP_NUM_THREADS=1
COPY --from=build /src/bin/spectroscope /opt/spectroscope/bin/spectroscope
COPY --from=build /src/cli/target/spectroscope.jar /opt/spectroscope/cli/target/spectroscope.jar
COPY --from=build /src/cli/target/lib /opt/spectroscope/cli/target/lib
RUN ln -s /opt/spectroscope/bin/spectroscope /usr/local/bin/spectroscope \
    && useradd --system --uid 10001 --home-dir /data spectroscope \
    && mkdir -p /data && chown spectroscope /data
USER spectroscope
WORKDIR /data
# 7070: dashboard and /metrics (sinks); 7071: query API (process).
EXPOSE 7070 7071
ENTRYPOINT ["spectroscope"]
CMD ["--help"]
