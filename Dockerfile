# orgmap production image. One image runs every role (see docker-compose.yml): the
# default command serves the web app with gunicorn; the same image runs migrations,
# the Celery worker and Celery beat with a different command.

FROM python:3.12-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1


# ---- build: orgmap and its dependencies in a virtualenv -------------------------------
FROM base AS build
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# .dockerignore admits only what the image needs.
COPY . .
# A regular (non-editable) install, without the test extras. Templates, static files
# and translations stay beside manage.py in /app (ORGMAP_BASE_DIR tells the settings).
RUN pip install . && mkdir -p locale


# ---- runtime --------------------------------------------------------------------------
FROM base AS runtime

# Libraries WeasyPrint loads for PDF rendering (Pango, HarfBuzz), the document fonts
# (DejaVu Sans for Latin text, Noto Sans CJK for Chinese), and fontconfig, whose install
# builds the system font cache.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-cjk fontconfig \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 orgmap \
 && useradd --system --uid 10001 --gid orgmap --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin orgmap

COPY --from=build /opt/venv /opt/venv
# ORGMAP_DATA_DIR: the settings create it at start-up, so it must be writable by the app
# user; with PostgreSQL and Redis configured only MEDIA_ROOT (bulk exports, a volume
# shared by web and worker in docker-compose.yml) is kept there.
# gunicorn.conf.py sets the workers (2 × CPUs + 1, or WEB_CONCURRENCY) and the timeout.
ENV PATH=/opt/venv/bin:$PATH \
    ORGMAP_DATA_DIR=/app/var \
    MEDIA_ROOT=/app/var/media \
    STATIC_ROOT=/app/staticfiles \
    GUNICORN_BIND=0.0.0.0:8000
WORKDIR /app
ENV ORGMAP_BASE_DIR=/app
COPY manage.py gunicorn.conf.py ./
COPY --from=build /src/templates ./templates
COPY --from=build /src/static ./static
COPY --from=build /src/locale ./locale

# The settings refuse to load without SECRET_KEY when DEBUG is off: collectstatic gets a
# throwaway key on this line only (not kept in the image's environment), and a scratch
# data folder, so that no root-owned folders are left in /app/var. The template lookup
# fails the build if templates/ is not where the settings look for it.
RUN export SECRET_KEY=build-only-throwaway-key ORGMAP_DATA_DIR=/tmp/orgmap-build \
 && python manage.py collectstatic --no-input -v 0 \
 && python manage.py shell -v 0 -c "from django.template.loader import get_template; get_template('base.html')" \
 && rm -rf /tmp/orgmap-build \
 && install -d -o orgmap -g orgmap /app/var /app/var/media

# Numeric, so that platforms enforcing "run as non-root" can check it.
USER 10001:10001
EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "orgmap.wsgi:application"]
