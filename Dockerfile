# Jardinier: slim Python, non-root, state in the /data volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    JARDINIER_DATABASE_URL=sqlite+aiosqlite:////data/jardinier.db \
    JARDINIER_HEARTBEAT_FILE=/tmp/jardinier.heartbeat

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

# The running bot rewrites its heartbeat file every 10 s from its event loop (in the container's
# own /tmp, not the volume a second container could share): older than 60 s, the loop is stuck,
# though the process lives and, at the default level, logs nothing. The file also says how each
# platform stands: the check fails while a platform has failed for good (a refused token: the
# others serve on) or when none has been connected for more than 5 minutes. It imports no more
# than the heartbeat module.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot.heartbeat"]

ENTRYPOINT ["jardinier"]
CMD ["run"]
