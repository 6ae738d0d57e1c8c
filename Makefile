# The few verbs a newcomer needs. `make dev` runs Townsquare; `make test` runs every test.
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin

.PHONY: setup dev test test-fast test-browser browser-deps node-deps lint stack-up stack-down render image sam-cli

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

dev: setup            ## run the whole system on embedded backends, with a demo community
	$(BIN)/townsquare dev --demo

test: setup stack-up browser-deps  ## every test: embedded and real servers (installs and starts them)
	$(BIN)/pytest
	TOWNSQUARE_TEST_BACKENDS=real $(BIN)/pytest -m "not real" tests/functions tests/triggers tests/test_restart.py tests/browser
	$(BIN)/ruff check .

test-fast: setup node-deps  ## embedded tier only, no servers
	$(BIN)/pytest -m "not real and not browser"

test-browser: setup browser-deps  ## the web app in Debian's chromium (embedded tier)
	$(BIN)/pytest -m browser tests/browser

browser-deps: node-deps  ## Debian's chromium for the browser tests
	command -v chromium >/dev/null || (apt-get update -q && apt-get install -y -q chromium)

node-deps:            ## the npm test tools (axe-core, the Kubernetes schema packages) under web/
	cd web && npm ci --no-audit --no-fund --silent

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

stack-up: setup
	$(BIN)/townsquare stack up

stack-down: setup
	$(BIN)/townsquare stack down

render: setup         ## regenerate knative/ and template.yaml from the registry
	$(BIN)/townsquare render

# The container image without a registry: a Debian bookworm rootfs (debootstrap, with its
# Python 3.11) becomes the base image, then buildah builds the Dockerfile on it. The host's
# CA bundle goes into the base, so pip in the build trusts what the host trusts.
IMAGE_STORE ?= /var/tmp/townsquare-image
BUILDAH := buildah --root $(IMAGE_STORE)/storage --runroot $(IMAGE_STORE)/run --storage-driver vfs
image:                ## build localhost/townsquare:dev with buildah (no registry needed; several minutes)
	command -v buildah debootstrap >/dev/null || (apt-get update -q && apt-get install -y -q buildah debootstrap)
	test -x $(IMAGE_STORE)/rootfs/usr/bin/python3 || debootstrap --variant=minbase \
	    --include=python3,python3-pip,python3-venv bookworm $(IMAGE_STORE)/rootfs http://deb.debian.org/debian
	ln -sf pip3 $(IMAGE_STORE)/rootfs/usr/bin/pip
	cp /etc/ssl/certs/ca-certificates.crt $(IMAGE_STORE)/rootfs/etc/ssl/certs/ca-certificates.crt
	ctr=$$($(BUILDAH) from scratch) && $(BUILDAH) copy $$ctr $(IMAGE_STORE)/rootfs / >/dev/null && \
	    $(BUILDAH) config --env PIP_BREAK_SYSTEM_PACKAGES=1 --env PATH=/usr/local/bin:/usr/bin:/bin $$ctr && \
	    $(BUILDAH) commit -q --rm $$ctr localhost/debian-python:bookworm
	$(BUILDAH) bud --isolation chroot --build-arg BASE=localhost/debian-python:bookworm \
	    -t localhost/townsquare:dev -f Dockerfile .

# AWS SAM (template.yaml, BuildMethod: makefile): `sam build` runs `make build-<logical id>`
# with ARTIFACTS_DIR set to what the layer or function will hold.
# SharedLayer: shared/ and the packages of lambda-requirements.txt, as wheels for the Lambda
# runtime (python3.12 on Amazon Linux 2023, glibc 2.34) under python/, where Lambda looks.
# Lambda's 250 MB (unzipped, function and layers) leaves no room for what is never imported:
# the packages' own test suites, and opensearch-py's gRPC transport (LAYER_UNUSED: grpcio,
# protobuf, opensearch-protobufs).
# Every function: only the code above shared/ (functions/, triggers/, workflows/, web app),
# less the servers that run outside Lambda (NOT_IN_LAMBDA: `townsquare dev`, `serve`).
LAMBDA_WHEELS := --implementation cp --python-version 3.12 --only-binary=:all: \
	--platform manylinux2014_x86_64 --platform manylinux_2_28_x86_64 --platform manylinux_2_34_x86_64
LAYER_UNUSED := grpc grpcio-*.dist-info google opensearch protobuf-*.dist-info \
	opensearch_protobufs-*.dist-info
build-SharedLayer:
	@test -n "$(ARTIFACTS_DIR)" || (echo "set ARTIFACTS_DIR: the folder to build into" && exit 1)
	PIP_ROOT_USER_ACTION=ignore python3 -m pip install -q --disable-pip-version-check \
	    --no-warn-conflicts --no-compile --target $(ARTIFACTS_DIR)/python $(LAMBDA_WHEELS) \
	    -r lambda-requirements.txt
	cd $(ARTIFACTS_DIR)/python && rm -rf $(LAYER_UNUSED)
	find $(ARTIFACTS_DIR)/python -depth -type d -name tests -exec rm -rf {} +
	tar -c --exclude=__pycache__ shared | tar -x -C $(ARTIFACTS_DIR)/python

LAMBDA_CODE := functions triggers workflows web/static
NOT_IN_LAMBDA := triggers/emulator triggers/runtime triggers/websocket
build-%Function:
	@test -n "$(ARTIFACTS_DIR)" || (echo "set ARTIFACTS_DIR: the folder to build into" && exit 1)
	tar -c --exclude=__pycache__ $(NOT_IN_LAMBDA:%=--exclude=%) $(LAMBDA_CODE) | tar -x -C $(ARTIFACTS_DIR)

SAM := .cache/sam/bin/sam
sam-cli: $(SAM)        ## the AWS SAM CLI in a venv of its own (it pins its own Flask)
$(SAM):
	python3 -m venv .cache/sam
	.cache/sam/bin/pip install -q --disable-pip-version-check aws-sam-cli
