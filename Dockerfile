# Multi-stage build of OptLib's two images: the API (default) and the worker (`--target worker`).
# Production runs against a real PostgreSQL 16+ with pgvector (see docker-compose.yml), so the embedded
# PGlite database and Node.js are not part of these images.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props OptLib.sln ./
COPY src/ src/
COPY migrations/ migrations/
# OptLibSkipPglite: the embedded database's npm packages serve only the zero set-up default, not these images.
RUN dotnet publish src/Api/OptLib.Api.csproj -c Release -o /out/api -p:OptLibSkipPglite=true \
 && dotnet publish src/Worker/OptLib.Worker.csproj -c Release -o /out/worker -p:OptLibSkipPglite=true

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime-base
# bubblewrap isolates the model-written programs the solver runs.
RUN apt-get update && apt-get install -y --no-install-recommends bubblewrap && rm -rf /var/lib/apt/lists/*
ENV OptLib__DataDirectory=/data
VOLUME /data

FROM runtime-base AS worker
WORKDIR /app
COPY --from=build /out/worker .
ENTRYPOINT ["./optlib-worker", "run"]

FROM runtime-base AS api
WORKDIR /app
COPY --from=build /out/api .
ENV ASPNETCORE_URLS=http://0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --retries=5 CMD ["/bin/sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/ready HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3"]
ENTRYPOINT ["dotnet", "OptLib.Api.dll"]
