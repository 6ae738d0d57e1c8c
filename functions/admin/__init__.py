"""admin: the operators' view of the service group — every function as a service, with
its triggers, health, invocations, error rate, latency and scale (GET /admin/services).
Prometheus scrapes /api/v1/metrics (triggers/metrics.py) for the same numbers per process.
"""
