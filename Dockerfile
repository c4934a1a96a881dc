# Three stages: fetch the model, build with the Swift toolchain, run on a slim Debian with the
# same glibc.
#   docker build -t kvserve --build-arg GIT_REVISION=$(git describe --always --dirty) .
#   docker run -p 8080:8080 -v kvserve-data:/var/lib/kvserve kvserve
# Build arguments:
#   MODEL         model baked into the image, a name from scripts/fetch-model.sh (default
#                 qwen2.5-coder-0.5b), or "none" for an image without one (mount it at run time)
#   GIT_REVISION  what `kvserve --version` prints (.git is not in the build context)
# The model in a stage of its own: changing the code does not fetch it again, changing the
# model does not rebuild the code.
FROM debian:bookworm-slim AS model
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-pip ca-certificates \
    && rm -rf /var/lib/apt/lists/*
ARG MODEL=qwen2.5-coder-0.5b
COPY scripts/fetch-model.sh /src/scripts/
RUN mkdir -p /models && if [ "$MODEL" != none ]; then KVSERVE_MODEL_DIR=/models /src/scripts/fetch-model.sh "$MODEL"; fi

FROM swift:6.3-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libssl-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Package dependencies come from GitHub; a build host with a local mirror of them mounts it
# at /opt/swift-packages (podman build -v /opt/swift-packages:/opt/swift-packages:ro).
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY scripts ./scripts
ARG GIT_REVISION=unknown
RUN if [ -d /opt/swift-packages ]; then git config --global url./opt/swift-packages/.insteadOf https://github.com/; fi \
    && ./scripts/stamp-revision.sh "$GIT_REVISION" \
    && swift build -c release --product kvserve --static-swift-stdlib \
    && cp .build/release/kvserve /usr/local/bin/kvserve \
    && strip /usr/local/bin/kvserve

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libssl3 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /var/lib/kvserve --shell /usr/sbin/nologin kvserve
COPY --from=build /usr/local/bin/kvserve /usr/local/bin/kvserve
COPY --from=model /models /models
COPY config/kvserve.json /etc/kvserve/kvserve.json
ARG MODEL=qwen2.5-coder-0.5b
# Settings are KVSERVE_<KEY> variables (or flags after the image name); the health check
# reads the same ones, so it follows e.g. -e KVSERVE_PORT=9000.
ENV KVSERVE_CONFIG=/etc/kvserve/kvserve.json \
    KVSERVE_HOST=0.0.0.0 \
    KVSERVE_PORT=8080 \
    KVSERVE_MODEL_DIR=/models \
    KVSERVE_MODEL=$MODEL \
    KVSERVE_STATE_DIR=/var/lib/kvserve/sessions
USER kvserve
# Sessions are written here: a named volume keeps them across restarts and upgrades.
VOLUME ["/var/lib/kvserve"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["kvserve", "healthcheck"]
# `docker run IMAGE --port 9000` passes flags to serve (the default command);
# `docker run IMAGE generate --prompt ...` runs another command.
ENTRYPOINT ["kvserve"]
CMD ["serve"]
