FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput -v 0
# var/media holds the attachments (a volume in docker-compose.yml, shared by web and worker).
RUN useradd --create-home servicedesk && mkdir -p var/media && chown -R servicedesk var
USER servicedesk
EXPOSE 8000
# --no-control-socket: gunicorn's default control socket is shared by every gunicorn of the user.
CMD ["gunicorn", "servicedesk.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "--no-control-socket"]
