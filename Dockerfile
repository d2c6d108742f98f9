# IOP-stöd: one image for the web server, the Celery worker and Celery beat (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint's libraries and a font for the PDFs; gettext to compile the Swedish translations.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libglib2.0-0 libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
        libfontconfig1 fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
RUN useradd --system --create-home --home-dir /home/iop iop

# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .
# Compiled translations and collected static files are part of the image. The settings need a
# key to load; this one exists only during the build.
RUN if find locale -name '*.po' | grep -q .; then python manage.py compilemessages --ignore=.venv; fi \
    && DJANGO_SETTINGS_MODULE=iop.settings.production SECRET_KEY=build-only ALLOWED_HOSTS=localhost \
        python manage.py collectstatic --noinput -v 0 \
    && mkdir -p /data/media var/mail var/celery \
    && chown -R iop:iop /data var

USER iop
EXPOSE 8000
ENV DJANGO_SETTINGS_MODULE=iop.settings.production
CMD ["gunicorn", "iop.wsgi:application", "--bind", "0.0.0.0:8000"]
