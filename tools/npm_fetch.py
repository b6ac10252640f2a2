"""Install the npm packages of package-lock.json into node_modules/ without npm.

`make install` runs this so that a machine with only Python and make gets what the browser tests
load (axe-core for the accessibility check): for each package in the lock file, the exact tarball
from the npm registry, checked against the lock file's `integrity` (sha512) before anything is
unpacked. A package whose installed version already matches the lock file is left alone, so a
second run downloads nothing. Only the standard library; `npm ci` does the same where npm exists.

    python tools/npm_fetch.py [--lock package-lock.json] [--registry URL]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import shutil
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = "https://registry.npmjs.org"
TIMEOUT_SECONDS = 60


class FetchError(Exception):
    pass


def tarball_url(name: str, version: str, registry: str) -> str:
    """The registry's tarball address (what npm writes as `resolved`): the unscoped name is the
    file name, also for a scoped package (@scope/name/-/name-1.0.0.tgz)."""
    return f"{registry.rstrip('/')}/{name}/-/{name.rsplit('/', 1)[-1]}-{version}.tgz"


def check_integrity(data: bytes, integrity: str) -> None:
    """Subresource-integrity string ("sha512-<base64>", possibly several, space-separated): the
    data must match one of its sha512 hashes (sha1-only locks are refused: too weak)."""
    wanted = [item.split("-", 1)[1] for item in integrity.split() if item.startswith("sha512-")]
    if not wanted:
        raise FetchError(f"no sha512 integrity to check the download against: {integrity!r}")
    got = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if got not in wanted:
        raise FetchError(f"integrity mismatch: expected sha512-{wanted[0]}, got sha512-{got}")


def installed_version(target: Path) -> str | None:
    try:
        return json.loads((target / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


def unpack(data: bytes, target: Path) -> None:
    """npm tarballs hold one top folder (usually `package/`): its contents go to `target`,
    replacing what was there. Members that would land outside it, links and devices are refused."""
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        staging = Path(tmp) / "unpacked"
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            members = []
            for member in archive.getmembers():
                parts = Path(member.name).parts
                if len(parts) < 2 or member.name.startswith("/") or ".." in parts:
                    continue
                if not (member.isfile() or member.isdir()):
                    continue
                member.name = str(Path(*parts[1:]))
                members.append(member)
            # Python 3.11.4+ also applies the "data" filter (no special permissions or owners).
            extra = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            archive.extractall(staging, members=members, **extra)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)


def fetch_all(lock: Path, registry: str = REGISTRY, log=print) -> list[str]:
    """Install every package of the lock file; returns the ones downloaded."""
    packages = json.loads(lock.read_text()).get("packages", {})
    downloaded = []
    for path, meta in packages.items():
        if not path.startswith("node_modules/") or meta.get("link"):
            continue
        name = path.split("node_modules/")[-1]
        version = meta["version"]
        target = lock.parent / path
        if installed_version(target) == version:
            continue
        url = meta.get("resolved") or tarball_url(name, version, registry)
        log(f"npm_fetch: {name}@{version} from {url}")
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
                data = response.read()
        except OSError as exc:
            raise FetchError(f"{name}@{version}: could not download {url}: {exc}") from exc
        try:
            check_integrity(data, meta.get("integrity", ""))
        except FetchError as exc:
            raise FetchError(f"{name}@{version}: {exc}") from exc
        target.parent.mkdir(parents=True, exist_ok=True)
        unpack(data, target)
        downloaded.append(f"{name}@{version}")
    return downloaded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lock", type=Path, default=ROOT / "package-lock.json")
    parser.add_argument("--registry", default=REGISTRY)
    args = parser.parse_args(argv)
    try:
        fetch_all(args.lock, args.registry)
    except FetchError as exc:
        print(f"npm_fetch: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
