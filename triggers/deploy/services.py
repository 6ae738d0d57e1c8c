"""The seed's service groups (app_service_groups_master, application_master) filled from
the registry and the deployment settings: one service per function, with its image, its
scale bounds (the Knative autoscaler's, for the functions deployed as Knative Services)
and its pod count where known (`townsquare dev` runs every function in one process: 1).
"""

from __future__ import annotations

import uuid

from functions.registry import Registry
from shared.ports import Accounts
from shared.records import Service
from triggers.deploy import knative
from triggers.kinds import signature_of

SERVICE_NAMESPACE = uuid.UUID("5b0cf2d4-1c55-4f43-9a0e-7c3f3a3d8e21")


def service_groups(registry: Registry, *, pods: int = 0) -> list[Service]:
    services = []
    for function in sorted(registry.functions.values(), key=lambda f: f.name):
        scaled = signature_of(registry, function) is not None
        services.append(
            Service(
                service_uuid=str(uuid.uuid5(SERVICE_NAMESPACE, function.name)),
                name=function.name,
                image_id=knative.IMAGE,
                pods_count=pods,
                min_scale=knative.MIN_SCALE if scaled else None,
                max_scale=knative.MAX_SCALE if scaled else None,
            )
        )
    return services


def register_services(accounts: Accounts, registry: Registry, *, pods: int = 0) -> int:
    """Upsert every function's service row; return how many."""
    services = service_groups(registry, pods=pods)
    for service in services:
        accounts.register_service(service)
    return len(services)
