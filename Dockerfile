# The image every Knative service of knative/services.yaml runs: one function each, chosen by
# environment (FUNCTION_TARGET, FUNCTION_SIGNATURE_TYPE: functions-framework's own variables;
# Knative sets PORT). The MQTT bridge runs `townsquare mqtt bridge`, the WebSocket gateway
# gunicorn, from the same image. tests/triggers/test_container_command.py runs this CMD with
# each manifest's environment. Not built here: see the README ("The container image").
# BASE: any image with Python 3.11 and pip (the README builds one from a debootstrap rootfs)
ARG BASE=python:3.11-slim
FROM ${BASE}
WORKDIR /app
COPY pyproject.toml README.md ./
COPY shared shared
COPY functions functions
COPY triggers triggers
COPY workflows workflows
COPY stack stack
COPY web/static web/static
RUN pip install --no-cache-dir '.[postgres,cassandra,kafka,elasticsearch,opensearch,neo4j,s3]'
# the code is imported from /app (not the installed copy), so the web app finds web/static
ENV PYTHONPATH=/app FUNCTION_SOURCE=triggers/http/main.py FUNCTION_TARGET=health
EXPOSE 8080
CMD ["functions-framework"]
