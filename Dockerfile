# Jardinier: slim Python, non-root, state in the /data volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    JARDINIER_DATABASE_URL=sqlite+aiosqlite:////data/jardinier.db

WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY cogs ./cogs
COPY rules ./rules
COPY migrations ./migrations
# A regular (not editable) install ships the rule book and the migrations inside the package.
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin jardinier \
    && mkdir -p /data \
    && chown jardinier:jardinier /data \
    && rm -rf /src

USER jardinier
WORKDIR /data
VOLUME ["/data"]

ENTRYPOINT ["jardinier"]
CMD ["run"]
