"""Shared bits of the servers that run on the JVM from Maven Central jars."""

from __future__ import annotations

from pathlib import Path

from ..base import Server
from ..install import ensure_java
from ..maven import classpath, resolve, resolve_many

# Keep small JVMs small on a 2-core machine.
COMMON_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
    "-Dfile.encoding=UTF-8",
]


class JvmServer(Server):
    """A server whose jars come from Maven (``artifacts``) into ``<cache>/lib/<lib_key>``."""

    jvm = True
    artifacts: list[str] = []
    exclusions: list[str] = []
    heap = "-Xmx512m"
    start_timeout = 180

    @property
    def lib_key(self) -> str:
        return f"{self.name}-{self.release}"

    release = ""

    def maven_sets(self) -> dict[str, tuple[list[str], list[str]]]:
        """Every jar set this server needs: ``{key: (coordinates, exclusions)}``."""
        return {self.lib_key: (self.artifacts, self.exclusions)}

    def lib(self) -> Path:
        return resolve(self.lib_key, self.artifacts, self.exclusions)

    def install(self) -> None:
        ensure_java()
        resolve_many(self.maven_sets())

    def classpath(self) -> str:
        return classpath(self.lib())

    def cp_args(self) -> list[str]:
        """``@argfile`` holding ``-cp ...`` (keeps ps output and the log header short)."""
        argfile = self.home / "classpath.args"
        text = '-cp "' + self.classpath().replace("\\", "\\\\") + '"\n'
        if not argfile.exists() or argfile.read_text() != text:
            argfile.write_text(text)
        return [f"@{argfile}"]

    def java(self) -> str:
        return ensure_java()

    def version(self) -> str:
        return f"{self.name} {self.release}"
