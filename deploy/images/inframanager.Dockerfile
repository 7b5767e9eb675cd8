# syntax=docker/dockerfile:1
# The inframanager image: make docker-build-manager
# (docker build -f deploy/images/inframanager.Dockerfile . from the repository root).
ARG DOTNET_VERSION=10.0

# inframanager: Native AOT, one executable, no .NET on the node.
FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION}-noble AS manager
# clang and zlib1g-dev link Native AOT executables.
RUN apt-get update \
    && apt-get install -y --no-install-recommends clang zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN dotnet publish InfraManager/InfraManager.csproj -c Release --use-current-runtime -o /out/inframanager --nologo

# Not the chiseled variant: the DaemonSet's init container needs a shell and chown for the host paths.
FROM mcr.microsoft.com/dotnet/runtime-deps:${DOTNET_VERSION}-noble
COPY --from=manager /out/inframanager/inframanager /usr/local/bin/inframanager
# k8s_dp's P4Info (P4InfoPath); the pipeline binary comes from the node (p4BinPath).
COPY k8s_dp/p4Info.txt /share/infra/k8s_dp/p4Info.txt
RUN inframanager --help >/dev/null
# The image's non-root user "app" (uid 1654); the DaemonSet runs it as 1654 too.
USER 1654
ENTRYPOINT ["/usr/local/bin/inframanager"]
