# Two stages: build with the Swift toolchain, run on a slim Debian with the same glibc.
FROM swift:6.3-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libssl-dev python3 python3-pip ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
RUN swift build -c release --product kvserve --static-swift-stdlib
COPY scripts ./scripts
# The default model is fetched (and its sha256 checked) at build time; mount another at run time
# with -v /host/models:/models -e KVSERVE_MODEL=/models/NAME.gguf.
RUN KVSERVE_MODEL_DIR=/models ./scripts/fetch-model.sh

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libssl3 libstdc++6 curl ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /var/lib/kvserve --shell /usr/sbin/nologin kvserve
COPY --from=build /src/.build/release/kvserve /usr/local/bin/kvserve
COPY --from=build /models/SmolLM2-135M-Instruct.Q4_1.gguf /models/SmolLM2-135M-Instruct.Q4_1.gguf
COPY config/kvserve.json /etc/kvserve/kvserve.json
ENV KVSERVE_CONFIG=/etc/kvserve/kvserve.json \
    KVSERVE_HOST=0.0.0.0 \
    KVSERVE_PORT=8080 \
    KVSERVE_MODEL=/models/SmolLM2-135M-Instruct.Q4_1.gguf \
    KVSERVE_STATE_DIR=/var/lib/kvserve/sessions
USER kvserve
VOLUME ["/var/lib/kvserve"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["kvserve", "serve"]
