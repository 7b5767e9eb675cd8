# syntax=docker/dockerfile:1
# The infraagent image, with felix-api-proxy inside: make docker-build-agent
# (docker build -f deploy/images/infraagent.Dockerfile . from the repository root).
ARG DOTNET_VERSION=10.0

# infraagent: Native AOT, one executable (about 36 MB), no .NET on the node.
FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION}-noble AS agent
# clang and zlib1g-dev link Native AOT executables.
RUN apt-get update \
    && apt-get install -y --no-install-recommends clang zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN dotnet publish InfraAgent/InfraAgent.csproj -c Release --use-current-runtime -o /out/infraagent --nologo

# felix-api-proxy runs inside calico-node, whose C library is not ours: a static musl executable
# (Native AOT, about 2 MB) runs there whatever it is.
FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION}-alpine AS felix-proxy
RUN apk add --no-cache clang build-base zlib-dev
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY FelixApiProxy/ FelixApiProxy/
RUN dotnet publish FelixApiProxy/FelixApiProxy.csproj -c Release -r linux-musl-x64 \
        -p:StaticExecutable=true -o /out/felix-api-proxy --nologo

FROM mcr.microsoft.com/dotnet/runtime-deps:${DOTNET_VERSION}-noble
COPY --from=agent /out/infraagent/infraagent /usr/local/bin/infraagent
COPY --from=felix-proxy /out/felix-api-proxy/felix-api-proxy /usr/local/bin/felix-api-proxy
RUN infraagent --help >/dev/null && felix-api-proxy --help >/dev/null
# Root: the agent moves interfaces between network namespaces (the DaemonSet makes it privileged).
USER 0
ENTRYPOINT ["/usr/local/bin/infraagent"]
