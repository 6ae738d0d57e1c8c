"""Resolve Maven artifacts and their runtime dependency closures into directories of jars.

For each wanted set a tiny pom is written under ``<cache>/poms/<key>/`` whose
``maven-dependency-plugin`` copies the runtime closure into ``<cache>/lib/<key>/``. Several sets
are resolved in one Maven reactor run with parallel module builds (``-T``), so the plugin is
resolved once and the downloads overlap. The local repository lives under the cache too
(``<cache>/m2``), so deleting the cache really starts from nothing. A ``.complete`` marker
holding the wanted coordinates makes a second call a no-op.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from .install import ensure_maven
from .paths import cache_dir, logs_dir

PLUGIN_GROUP = "org.apache.maven.plugins"
PLUGIN_ARTIFACT = "maven-dependency-plugin"
PLUGIN_VERSION = "3.8.1"
GOAL = f"{PLUGIN_GROUP}:{PLUGIN_ARTIFACT}:{PLUGIN_VERSION}:copy-dependencies"

_lock = threading.Lock()  # one mvn at a time in this process: they share the local repository

# key -> (coordinates "group:artifact[:type]:version", exclusions "group:artifact")
Wanted = Mapping[str, tuple[Sequence[str], Sequence[str]]]


def _dependency_xml(coordinate: str, exclusions: Sequence[str]) -> str:
    parts = coordinate.split(":")
    group, artifact, version = parts[0], parts[1], parts[-1]
    kind = parts[2] if len(parts) == 4 else "jar"
    excl = ""
    if exclusions:
        items = "".join(
            "        <exclusion><groupId>{}</groupId><artifactId>{}</artifactId></exclusion>\n".format(
                *map(escape, e.split(":"))
            )
            for e in exclusions
        )
        excl = f"      <exclusions>\n{items}      </exclusions>\n"
    return (
        "    <dependency>\n"
        f"      <groupId>{escape(group)}</groupId>\n"
        f"      <artifactId>{escape(artifact)}</artifactId>\n"
        f"      <version>{escape(version)}</version>\n"
        f"      <type>{escape(kind)}</type>\n{excl}"
        "    </dependency>\n"
    )


def pom(key: str, coordinates: Sequence[str], exclusions: Sequence[str], out: Path) -> str:
    """A pom depending on ``coordinates`` that copies their runtime closure into ``out``."""
    deps = "".join(_dependency_xml(c, exclusions) for c in coordinates)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>townsquare.stack</groupId>
  <artifactId>{escape(key)}</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
{deps}  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>{PLUGIN_GROUP}</groupId>
        <artifactId>{PLUGIN_ARTIFACT}</artifactId>
        <version>{PLUGIN_VERSION}</version>
        <configuration>
          <includeScope>runtime</includeScope>
          <outputDirectory>{escape(str(out))}</outputDirectory>
        </configuration>
      </plugin>
    </plugins>
  </build>
</project>
"""


def _marker_text(coordinates: Sequence[str], exclusions: Sequence[str]) -> str:
    return "\n".join([*coordinates, *(f"-{e}" for e in exclusions)]) + "\n"


def lib_dir(key: str) -> Path:
    return cache_dir() / "lib" / key


def is_resolved(key: str, coordinates: Sequence[str], exclusions: Sequence[str] = ()) -> bool:
    marker = lib_dir(key) / ".complete"
    return marker.exists() and marker.read_text() == _marker_text(coordinates, exclusions)


def resolve_many(wanted: Wanted) -> dict[str, Path]:
    """Resolve every set in ``wanted`` that is not resolved yet, in one parallel Maven run."""
    result = {key: lib_dir(key) for key in wanted}
    with _lock:
        missing = {k: v for k, v in wanted.items() if not is_resolved(k, *v)}
        if not missing:
            return result
        ensure_maven()
        poms = cache_dir() / "poms"
        for key, (coords, excl) in missing.items():
            out = lib_dir(key)
            if out.exists():
                shutil.rmtree(out)
            (poms / key).mkdir(parents=True, exist_ok=True)
            (poms / key / "pom.xml").write_text(pom(key, coords, excl, out))
        digest = hashlib.sha1(" ".join(sorted(missing)).encode()).hexdigest()[:10]
        reactor = poms / f"_reactor-{digest}"
        reactor.mkdir(parents=True, exist_ok=True)
        modules = "".join(f"    <module>../{escape(k)}</module>\n" for k in sorted(missing))
        (reactor / "pom.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<project xmlns="http://maven.apache.org/POM/4.0.0">\n'
            "  <modelVersion>4.0.0</modelVersion>\n  <groupId>townsquare.stack</groupId>\n"
            f"  <artifactId>reactor-{digest}</artifactId>\n  <version>0</version>\n"
            f"  <packaging>pom</packaging>\n  <modules>\n{modules}  </modules>\n</project>\n"
        )
        cmd = [
            "mvn", "-B", "-q", "-T", str(min(4, len(missing))), "-f", str(reactor / "pom.xml"),
            f"-Dmaven.repo.local={cache_dir() / 'm2'}", "-Daether.connector.basic.threads=8",
            GOAL,
        ]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True)
        (logs_dir() / "maven.log").write_text(" ".join(cmd) + "\n" + proc.stdout + proc.stderr)
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
            raise RuntimeError(f"mvn could not resolve {', '.join(sorted(missing))}:\n{tail}")
        for key, (coords, excl) in missing.items():
            (lib_dir(key) / ".complete").write_text(_marker_text(coords, excl))
    return result


def resolve(key: str, coordinates: Sequence[str], exclusions: Sequence[str] = ()) -> Path:
    """Return ``<cache>/lib/<key>`` holding the jars of ``coordinates`` and their runtime deps."""
    return resolve_many({key: (coordinates, exclusions)})[key]


def classpath(directory: Path) -> str:
    """A ``java -cp`` string of every jar in ``directory`` (sorted, so it is stable)."""
    return ":".join(str(p) for p in sorted(directory.glob("*.jar")))
