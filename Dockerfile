# The production image: web (gunicorn), worker, beat and the one-off migration all run it,
# each with its own command (deploy/entrypoint.sh). Every Python package is pinned in
# constraints.txt, gunicorn and the build backend included.

# --- Stage 1: the virtual environment, built with what building needs -----------------
FROM python:3.11.14-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
COPY pyproject.toml constraints.txt ./
# Without build isolation pip would fetch the newest setuptools to build the project.
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --constraint constraints.txt setuptools \
    && /opt/venv/bin/pip install --no-build-isolation --constraint constraints.txt . gunicorn

# --- Stage 2: what runs, as a user of its own ------------------------------------------
FROM python:3.11.14-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH \
    STATIC_ROOT=/app/static-collected STATIC_MANIFEST=true
RUN groupadd --system --gid 10001 utbud \
    && useradd --system --uid 10001 --gid utbud --home-dir /app --no-create-home utbud
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY . .
# Settings refuse to load without a long key; collecting static files needs none of its
# own, so a throwaway one serves and is not kept in the image.
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    python manage.py collectstatic --no-input --verbosity 0 \
    && mkdir -p /app/var && chown utbud:utbud /app/var
USER utbud
EXPOSE 8000
ENTRYPOINT ["deploy/entrypoint.sh"]
CMD ["web"]
