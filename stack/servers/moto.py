"""moto's S3 server (``moto_server`` from PyPI ``moto[server]``) on 127.0.0.1:15000.

moto keeps everything in memory, so the ``townsquare-media`` bucket is created on every start.
"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

from ..base import Server
from ..install import pip_install
from ..paths import HOST

BUCKET = "townsquare-media"
ENDPOINT = f"http://{HOST}:15000"


def s3_client():
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=ENDPOINT,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
        config=Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 1}),
    )


class Moto(Server):
    name = "moto"
    port = 15000
    port_name = "BLOBS"
    url = f"s3://{BUCKET}?endpoint={ENDPOINT}"
    start_timeout = 60

    def install(self) -> None:
        pip_install("flask_cors", "moto[server]>=5.0")
        pip_install("boto3", "boto3>=1.34")

    def command(self) -> list[str]:
        exe = Path(sys.executable).parent / "moto_server"
        if exe.exists():
            return [str(exe), "-H", HOST, "-p", str(self.port)]
        return [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(self.port)]

    def ready(self) -> bool:
        s3_client().list_buckets()
        return True

    def bootstrap(self) -> None:
        client = s3_client()
        names = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
        if BUCKET not in names:
            client.create_bucket(Bucket=BUCKET)

    def healthy(self) -> bool:
        names = {b["Name"] for b in s3_client().list_buckets().get("Buckets", [])}
        return BUCKET in names

    def version(self) -> str:
        try:
            return "moto " + metadata.version("moto")
        except metadata.PackageNotFoundError:
            return "?"
