"""What `sam build` makes of template.yaml: SharedLayer and the functions, each built by the
Makefile's target that SAM runs (`make build-<logical id>`, ARTIFACTS_DIR set).

The layer and one function are built here into temporary folders, and the Lambda handler
runs on them alone: a Python of the template's runtime, isolated (-I -S: no site-packages,
no environment), whose sys.path is the function's folder, the layer's python/ and the
standard library, as in Lambda (/var/task, /opt/python). What the functions import and the
layer lacks fails here. The backends are embedded, under a temporary data folder.

Then the real `sam build` (the SAM CLI in a venv of its own, `make sam-cli`) lays out every
function and the layer from the same targets.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from shared.context import Services
from shared.ports.bus import DEAD_LETTER
from shared.settings import PORTS, Settings
from tests.conftest import Api
from triggers.deploy import sam
from triggers.http.gateway import create_app

ROOT = Path(__file__).parents[2]
LAMBDA_LIMIT = 250_000_000  # bytes, unzipped: a function and all its layers (250 MB)
TEMPLATE = yaml.safe_load((ROOT / "template.yaml").read_text())
RUNTIME = TEMPLATE["Globals"]["Function"]["Runtime"]  # python3.12
# Runs the handler on one event from stdin, as Lambda would, from argv's two folders only.
DRIVER = """
import json, sys
sys.path[:0] = sys.argv[1:3]
assert not [p for p in sys.path if "-packages" in p], sys.path
from triggers.aws import handler
print(json.dumps(handler(json.load(sys.stdin))))
"""

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]  # pip, then SAM's own install


@dataclass
class Built:
    layer: Path  # what Lambda puts on sys.path from the layer (/opt/python)
    code: Path  # the function's folder (/var/task)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    layer, code = tmp_path_factory.mktemp("layer"), tmp_path_factory.mktemp("function")
    make(f"build-{sam.LAYER}", ARTIFACTS_DIR=layer)
    make("build-SignupFunction", ARTIFACTS_DIR=code)
    return Built(layer / "python", code)


def make(target: str, **variables: object) -> None:
    args = [f"{name}={value}" for name, value in variables.items()]
    done = subprocess.run(
        ["make", "-s", target, *args], cwd=ROOT, capture_output=True, text=True, timeout=840
    )
    assert done.returncode == 0, done.stdout + done.stderr


def size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def test_the_layer_holds_shared_and_each_function_only_its_own_code(built):
    assert (built.layer / "shared" / "context.py").is_file()
    assert (built.layer / "river").is_dir() and (built.layer / "psycopg").is_dir()
    assert not [p for p in built.layer.rglob("tests") if p.is_dir()]
    for left_out in ("boto3", "pyspark", "moto", "functions_framework", "uvicorn", "grpc"):
        assert not (built.layer / left_out).exists(), left_out
    assert sorted(p.name for p in built.code.iterdir()) == [
        "functions",
        "triggers",
        "web",
        "workflows",
    ]
    assert (built.code / "web" / "static" / "index.html").is_file()
    assert not (built.code / "triggers" / "emulator").exists()
    assert not list(built.code.rglob("__pycache__"))


def test_a_function_and_the_layer_fit_lambdas_limit(built):
    total = size(built.layer.parent) + size(built.code)
    assert total < LAMBDA_LIMIT, f"{total / 1e6:.1f} MB unzipped"


def test_lambda_requirements_are_what_pyproject_asks_less_what_lambda_never_imports():
    wanted = (ROOT / "lambda-requirements.txt").read_text().splitlines()[1:]
    names = {sam._name(spec) for spec in wanted}
    assert {"flask", "river", "psycopg", "cassandra-driver", "kafka-python", "neo4j"} <= names
    assert not names & set(sam.LEFT_OUT)
    assert "cloudevents>=1.10,<2" in wanted  # 2.0 has none of the modules the code imports


def lambda_run(built: Built, data: Path, function: str, event: dict) -> dict:
    """The handler's answer to `event` as `function`, in a Python with nothing but the
    function's folder, the layer and the standard library."""
    env = {
        "PATH": os.environ["PATH"],
        "PYENV_VERSION": RUNTIME.removeprefix("python"),  # where pyenv provides python3.x
        "TOWNSQUARE_FUNCTION": function,
        "TOWNSQUARE_DATA_DIR": str(data),
    }
    done = subprocess.run(
        [RUNTIME, "-I", "-S", "-c", DRIVER, str(built.code), str(built.layer)],
        input=json.dumps(event),
        capture_output=True,
        text=True,
        cwd=built.code,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def api_gateway(method: str, path: str, token: str | None = None, body=None, query=None) -> dict:
    """An API Gateway proxy event (REST API, the documented shape)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return {
        "httpMethod": method,
        "path": path,
        "headers": headers,
        "queryStringParameters": query,
        "body": None if body is None else json.dumps(body),
        "isBase64Encoded": False,
    }


def kafka(cloud_event: dict) -> dict:
    """A self-managed Kafka event source's batch of one record (the documented shape)."""
    value = base64.b64encode(json.dumps(cloud_event).encode()).decode()
    record = {"topic": "townsquare.events", "partition": 0, "offset": 0, "value": value}
    return {"eventSource": "SelfManagedKafka", "records": {"townsquare.events-0": [record]}}


def post_created(data: dict) -> dict:
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "townsquare/posts",
        "type": "post.created",
        "datacontenttype": "application/json",
        "data": data,
    }


def answer_of(answer: dict) -> dict:
    return json.loads(base64.b64decode(answer["body"]))


def test_the_handler_runs_http_and_event_functions_on_the_layer_alone(built, tmp_path):
    data = tmp_path / "data"
    embedded = Settings(data_dir=data, _env_file=None, **{f"{port}_url": "" for port in PORTS})
    services = Services(embedded)  # a member and her session, through the gateway
    ada = Api(create_app(services).test_client(), events=None).person("Ada")
    services.close()  # the live store's snapshot is on disk for the functions

    signup = api_gateway(
        "POST",
        "/api/v1/auth/signup",
        body={"email": "lam@example.org", "name": "Lam", "password": "long enough pw"},
    )
    answer = lambda_run(built, data, "signup", signup)
    assert answer["statusCode"] == 201
    assert answer_of(answer)["user"]["email"] == "lam@example.org"

    post = api_gateway(
        "POST", "/api/v1/posts", ada.token, {"text": "layers travel light", "scope": "public"}
    )
    answer = lambda_run(built, data, "create_post", post)
    assert answer["statusCode"] == 201, answer_of(answer)
    post_uuid = answer_of(answer)["post"]["uuid"]

    indexed = kafka(post_created({"uuid": post_uuid}))
    assert lambda_run(built, data, "index_post_for_search", indexed) == {"handled": 1}
    search = api_gateway("GET", "/api/v1/search", ada.token, query={"q": "layers"})
    answer = lambda_run(built, data, "run_search", search)
    assert answer["statusCode"] == 200
    assert [item["uuid"] for item in answer_of(answer)["items"]] == [post_uuid]

    poison = kafka(post_created({"uuid": "not-a-uuid"}))  # rejected: dead-lettered, not raised
    assert lambda_run(built, data, "index_post_for_search", poison) == {"handled": 1}
    services = Services(embedded)
    [letter] = [delivery.event for delivery in services.bus.history(DEAD_LETTER)]
    services.close()
    assert "uuid" in letter.data["reason"] and letter.data["source"].endswith(
        "index_post_for_search"
    )
    empty = api_gateway("GET", "/api/v1/search", ada.token, query={"q": ""})
    assert lambda_run(built, data, "run_search", empty)["statusCode"] == 400


def test_sam_build_lays_out_the_layer_and_every_function(tmp_path):
    make("sam-cli")
    build = tmp_path / "build"
    done = subprocess.run(
        [ROOT / ".cache" / "sam" / "bin" / "sam", "build", "--build-in-source"]
        + ["--template-file", "template.yaml", "--build-dir", str(build)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=os.environ | {"SAM_CLI_TELEMETRY": "0"},
        timeout=840,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    resources = yaml.safe_load((build / "template.yaml").read_text())["Resources"]
    layer = build / resources[sam.LAYER]["Properties"]["ContentUri"]
    assert (layer / "python" / "shared" / "context.py").is_file()
    functions = {k: v for k, v in resources.items() if v["Type"] == "AWS::Serverless::Function"}
    assert functions.keys() == {
        k for k, v in TEMPLATE["Resources"].items() if v["Type"] == "AWS::Serverless::Function"
    }
    for name, function in functions.items():
        code = build / function["Properties"]["CodeUri"]
        assert (code / "triggers" / "aws.py").is_file(), name
        assert not (code / "shared").exists() and not (code / "tests").exists(), name
