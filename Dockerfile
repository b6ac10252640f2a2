# Factdesk application image: web (gunicorn), worker and beat all run from it.
FROM python:3.11-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    FACTDESK_VAR_DIR=/var/lib/factdesk STATIC_ROOT=/app/staticfiles

WORKDIR /app
# The same pinned lock file as `make`: what is tested is what is deployed.
COPY requirements.lock pyproject.toml ./
RUN pip install -r requirements.lock

COPY . .
RUN useradd --system --home /app factdesk && mkdir -p /var/lib/factdesk /app/staticfiles \
    && SECRET_KEY=collectstatic-only DEBUG=0 python manage.py collectstatic --noinput \
    && chown -R factdesk /var/lib/factdesk /app/staticfiles
USER factdesk

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi:application"]
