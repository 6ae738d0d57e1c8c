# The image every Knative service of knative/services.yaml runs (one function each, chosen by
# functions-framework's --target, set by the manifests); run as is, it is `townsquare serve`.
# Not built by this repository's CI (no container engine there).
FROM python:3.11-slim
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
ENV PYTHONPATH=/app
EXPOSE 8080
# every route and the stream, uvicorn workers (one function alone: functions-framework
# --source triggers/http/main.py --target <name>, as the Knative manifests run it)
CMD ["townsquare", "serve", "--host", "0.0.0.0", "--port", "8080", "--no-triggers"]
