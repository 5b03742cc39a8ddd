"""The Docker files build what the tests run (no Docker engine here to build them):
the Asterisk image uses the tests' build script over the same tarballs, deploys the
same dialplan files, and fills ari.conf with the README's envsubst."""

from __future__ import annotations

import re

import pytest

from ivr.shipped import REPO_ROOT

DOCKER = REPO_ROOT / "docker"
BUILD_SCRIPT = REPO_ROOT.parent / "shared" / "asterisk" / "build.sh"
DEPLOYED = ("extensions.conf", "pjsip.conf", "http.conf", "modules.conf")


def asterisk_dockerfile() -> str:
    return (DOCKER / "asterisk.Dockerfile").read_text(encoding="utf-8")


def test_the_asterisk_image_copies_every_file_the_deployment_copies() -> None:
    text = asterisk_dockerfile()
    for name in DEPLOYED:
        assert f"dialplans/{name}" in text, name
    assert "dialplans/ari.conf /opt/asterisk/etc/asterisk/ari.conf.template" in text
    assert "prompts/sounds/en/ivr101 /opt/asterisk/var/lib/asterisk/sounds/en/ivr101" in text


@pytest.mark.skipif(not BUILD_SCRIPT.is_file(), reason=f"no {BUILD_SCRIPT}")
def test_the_asterisk_image_builds_from_the_tarballs_the_build_script_reads() -> None:
    script = BUILD_SCRIPT.read_text(encoding="utf-8")
    wanted = set(re.findall(r'\$here/([\w.-]+\.tar\.\w+)"', script))
    assert wanted, "build.sh names no tarball"
    text = asterisk_dockerfile()
    copied = set(re.findall(r"[\w.-]+\.tar\.\w+", text))
    assert wanted <= copied
    assert "bash /src/build.sh" in text


def test_the_container_fills_ari_conf_as_the_readme_says() -> None:
    start = (DOCKER / "asterisk-start.sh").read_text(encoding="utf-8")
    readme = (REPO_ROOT / "dialplans" / "README.md").read_text(encoding="utf-8")
    command = "envsubst '${IVR_ARI_PASSWORD}'"
    assert command in readme
    assert command in start


def test_compose_builds_the_asterisk_image_from_the_shared_tarballs() -> None:
    compose = (DOCKER / "compose.example.yaml").read_text(encoding="utf-8")
    assert "dockerfile: docker/asterisk.Dockerfile" in compose
    assert "asterisk-src: ../../shared/asterisk" in compose
