# First draft of the production image; the compose deployment issue finishes it.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml constraints.txt ./
# Everything installed is pinned in constraints.txt: gunicorn, and the build backend too
# (pip's build isolation would otherwise fetch the newest setuptools to build the project).
RUN pip install --no-cache-dir --constraint constraints.txt setuptools \
    && pip install --no-cache-dir --no-build-isolation --constraint constraints.txt . gunicorn
COPY . .
# Settings refuse to load without a long key; collecting static files needs none of its own.
RUN STATIC_MANIFEST=true SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    python manage.py collectstatic --no-input
USER nobody
EXPOSE 8000
