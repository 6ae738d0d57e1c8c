"""Installing what a server needs: Debian packages (apt-get), Java, Maven and PyPI packages.

Every helper checks first and installs only what is missing; apt runs are serialised and
``apt-get update`` runs once per process before the first install.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import threading

_apt_lock = threading.Lock()
_apt_updated = False


class InstallError(RuntimeError):
    pass


def _run(cmd: list[str]) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-20:])
        raise InstallError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{tail}")


def dpkg_installed(package: str) -> bool:
    proc = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True
    )
    return proc.returncode == 0 and "install ok installed" in proc.stdout


def apt_install(*packages: str) -> None:
    """``apt-get install`` the packages that are not installed yet (``apt-get update`` first)."""
    global _apt_updated
    with _apt_lock:
        missing = [p for p in packages if not dpkg_installed(p)]
        if not missing:
            return
        prefix: list[str] = []
        if os.geteuid() != 0:
            if shutil.which("sudo") is None:
                raise InstallError(
                    f"need root to install {missing}: apt-get install {' '.join(missing)}"
                )
            prefix = ["sudo", "-n"]
        if not _apt_updated:
            _run([*prefix, "apt-get", "update", "-q"])
            _apt_updated = True
        _run([*prefix, "apt-get", "install", "-y", "-q", "--no-install-recommends", *missing])


def ensure_java() -> str:
    """The ``java`` command (installs Debian's OpenJDK 17 runtime when there is none)."""
    if shutil.which("java") is None:
        apt_install("openjdk-17-jdk-headless")
    java = shutil.which("java")
    if java is None:
        raise InstallError("java not found after installing openjdk-17-jdk-headless")
    return java


def ensure_javac() -> str:
    if shutil.which("javac") is None:
        apt_install("openjdk-17-jdk-headless")
    javac = shutil.which("javac")
    if javac is None:
        raise InstallError("javac not found after installing openjdk-17-jdk-headless")
    return javac


def ensure_maven() -> str:
    ensure_java()
    if shutil.which("mvn") is None:
        apt_install("maven")
    mvn = shutil.which("mvn")
    if mvn is None:
        raise InstallError("mvn not found after installing maven")
    return mvn


_pip_lock = threading.Lock()


def pip_install(module: str, requirement: str) -> None:
    """``pip install requirement`` into this interpreter unless ``module`` imports already."""
    with _pip_lock:
        if importlib.util.find_spec(module) is not None:
            return
        _run([sys.executable, "-m", "pip", "install", "-q", requirement])
        importlib.invalidate_caches()


def ensure_user(name: str) -> None:
    """Create an unprivileged system user ``name`` (no home, no login) if there is none."""
    import pwd

    try:
        pwd.getpwnam(name)
        return
    except KeyError:
        pass
    _run(
        [
            "useradd",
            "--system",
            "--no-create-home",
            "--user-group",
            "--shell",
            "/usr/sbin/nologin",
            name,
        ]
    )


def chown_tree(path, user: str) -> None:
    """``chown -R user:user path`` (only when root)."""
    import pwd

    if os.geteuid() != 0:
        return
    entry = pwd.getpwnam(user)
    for root, dirs, files in os.walk(path):
        os.chown(root, entry.pw_uid, entry.pw_gid)
        for name in dirs + files:
            os.lchown(os.path.join(root, name), entry.pw_uid, entry.pw_gid)
