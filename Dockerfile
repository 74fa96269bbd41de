# syntax=docker/dockerfile:1
# Email Monitor: a self-contained build on the SDK image, run as a non-root user on the small
# runtime-deps image (libc, ICU, OpenSSL, CA certificates; no shell tools needed).
#   docker build -t email-monitor .
#   docker run -p 8765:8765 -v monitor-data:/data -v monitor-logs:/logs --env-file .env --read-only --tmpfs /tmp email-monitor
# Secrets (JWT_SECRET_KEY, ADMIN_PASSWORD, EMAIL_PASSWORD, …) come from --env-file or compose
# secrets at run time; none is ever part of the image.
ARG DOTNET_TAG=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_TAG} AS build
WORKDIR /source
# Restore first, from the project files alone, so a change of code reuses the restored packages.
COPY .editorconfig global.json Directory.Build.props Directory.Packages.props ./
COPY src/EmailMonitor.Plugins/EmailMonitor.Plugins.csproj src/EmailMonitor.Plugins/
COPY src/EmailMonitor/EmailMonitor.csproj src/EmailMonitor/
RUN dotnet restore src/EmailMonitor/EmailMonitor.csproj --runtime linux-x64
COPY src/ src/
# Outside a git checkout the build records no commit; pass one in: --build-arg SOURCE_REVISION=$(git rev-parse HEAD)
ARG SOURCE_REVISION=""
RUN dotnet publish src/EmailMonitor/EmailMonitor.csproj --configuration Release --runtime linux-x64 --self-contained \
      --no-restore -p:PublishSingleFile=true -p:SourceRevisionId=${SOURCE_REVISION} --output /rootfs/app \
 && mkdir -p /rootfs/data /rootfs/logs

FROM mcr.microsoft.com/dotnet/runtime-deps:${DOTNET_TAG} AS runtime
# The single file and the one native library it keeps beside it (SQLite), owned by root: the service
# cannot change its own code. The volumes' mount points, owned by the service's user, come made
# from the build stage, so this stage needs no shell.
COPY --from=build /rootfs/app/ /app/
COPY --from=build --chown=1654:1654 /rootfs/data/ /data/
COPY --from=build --chown=1654:1654 /rootfs/logs/ /logs/
WORKDIR /app
# A fixed, unprivileged user (the .NET images' own "app", 1654); the data and logs are its volumes.
USER 1654:1654
ENV ENVIRONMENT=production \
    WEBSOCKET_HOST=0.0.0.0 \
    WEBSOCKET_PORT=8765 \
    DATA_DIR=/data \
    LOG_DIR=/logs \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_gcServer=0
VOLUME ["/data", "/logs"]
EXPOSE 8765
# The service's own binary is the probe (GET /health/live over loopback): the image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/app/email-monitor", "--health"]
ENTRYPOINT ["/app/email-monitor"]
