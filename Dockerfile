# One image for all seven schakel services; docker-compose.yml (or your orchestrator) picks the
# service with the command, e.g. `python -m schakel.intake`. Health checks live in the compose file.
#
#   docker build -t schakel .
#   docker run --rm --env-file triage.env schakel python -m schakel.triage

# --- build: install the project and its pinned dependencies into a virtualenv ---------------
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/schakel
ENV PATH="/opt/schakel/bin:$PATH"

WORKDIR /src
# README.md is the package's long description (the wildcard lets the build go on without it).
COPY pyproject.toml README.md* ./
COPY services ./services
RUN pip install .

# --- runtime: the virtualenv only, no source tree, no build tools, no root ------------------
FROM python:3.11-slim

ENV PATH="/opt/schakel/bin:$PATH" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SCHAKEL_HTTP_HOST=0.0.0.0

RUN groupadd --system --gid 10001 schakel \
    && useradd --system --uid 10001 --gid schakel --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin schakel

COPY --from=build /opt/schakel /opt/schakel

WORKDIR /app
USER 10001:10001

# gateway 8080, intake 8081, triage 8082, matching 8083, feedback 8084, audit 8085,
# followup 8086
EXPOSE 8080 8081 8082 8083 8084 8085 8086

# Overridden per service.
CMD ["python", "-m", "schakel.gateway"]
