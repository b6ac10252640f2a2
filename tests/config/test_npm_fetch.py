"""tools/npm_fetch.py: `make install` gets the browser tests' npm packages (axe-core) without npm,
from the exact tarball the lock file names, refused unless its sha512 matches."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from tools import npm_fetch


def _tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _project(tmp_path: Path, tarball: bytes, *, integrity: str | None = None) -> Path:
    """A project whose lock file names one package, served from a file:// address."""
    served = tmp_path / "registry" / "demo-1.2.3.tgz"
    served.parent.mkdir()
    served.write_bytes(tarball)
    sha = base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    lock = tmp_path / "project" / "package-lock.json"
    lock.parent.mkdir()
    lock.write_text(
        json.dumps(
            {
                "lockfileVersion": 3,
                "packages": {
                    "": {"name": "project"},
                    "node_modules/demo": {
                        "version": "1.2.3",
                        "resolved": served.as_uri(),
                        "integrity": integrity or f"sha512-{sha}",
                    },
                },
            }
        )
    )
    return lock


PACKAGE = {
    "package/package.json": b'{"name": "demo", "version": "1.2.3"}',
    "package/demo.min.js": b"window.demo = 1;",
}


def test_it_installs_the_locked_tarball_once(tmp_path):
    lock = _project(tmp_path, _tarball(PACKAGE))

    assert npm_fetch.fetch_all(lock, log=lambda _: None) == ["demo@1.2.3"]
    installed = lock.parent / "node_modules" / "demo"
    assert (installed / "demo.min.js").read_bytes() == b"window.demo = 1;"
    # Already there in the locked version: nothing is downloaded again.
    assert npm_fetch.fetch_all(lock, log=lambda _: None) == []


def test_a_tarball_that_does_not_match_its_integrity_is_not_installed(tmp_path):
    other = base64.b64encode(hashlib.sha512(b"something else").digest()).decode()
    lock = _project(tmp_path, _tarball(PACKAGE), integrity=f"sha512-{other}")

    with pytest.raises(npm_fetch.FetchError, match="integrity mismatch"):
        npm_fetch.fetch_all(lock, log=lambda _: None)
    assert not (lock.parent / "node_modules" / "demo").exists()
    assert npm_fetch.main(["--lock", str(lock)]) == 1


def test_a_lock_without_a_sha512_is_refused(tmp_path):
    lock = _project(tmp_path, _tarball(PACKAGE), integrity="sha1-AAAA")
    with pytest.raises(npm_fetch.FetchError, match="no sha512"):
        npm_fetch.fetch_all(lock, log=lambda _: None)


def test_members_that_would_land_outside_the_package_are_left_out(tmp_path):
    lock = _project(tmp_path, _tarball({**PACKAGE, "package/../../escaped.js": b"x"}))

    npm_fetch.fetch_all(lock, log=lambda _: None)
    assert (lock.parent / "node_modules" / "demo" / "demo.min.js").exists()
    assert not list(tmp_path.rglob("escaped.js"))


def test_the_registry_address_is_npms_when_the_lock_has_none():
    assert (
        npm_fetch.tarball_url("axe-core", "4.14.1", "https://registry.example")
        == "https://registry.example/axe-core/-/axe-core-4.14.1.tgz"
    )
    assert npm_fetch.tarball_url("@scope/pkg", "1.0.0", "https://registry.example/").endswith(
        "/@scope/pkg/-/pkg-1.0.0.tgz"
    )
