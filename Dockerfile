# First draft of the production image; the compose deployment issue finishes it.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml constraints.txt ./
RUN pip install --no-cache-dir --constraint constraints.txt . gunicorn
COPY . .
# Settings refuse to load without a long key; collecting static files needs none of its own.
RUN STATIC_MANIFEST=true SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    python manage.py collectstatic --no-input
USER nobody
EXPOSE 8000
