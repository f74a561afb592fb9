"""scripts/install-kiosk sets a kiosk machine up idempotently: run into a --root prefix (an
image being built) it makes the user, the checkout, KIOSK_HOME 0700 and the enabled unit, and a
second run changes nothing; --dry-run changes nothing at all."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import ROOT

SCRIPT = ROOT / "scripts" / "install-kiosk"
UNIT = "made-in-oman-kiosk.service"

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="install-kiosk runs as root")


def image(tmp_path: Path) -> Path:
    """An empty machine image: only the account files, with the device groups."""
    root = tmp_path / "image"
    etc = root / "etc"
    etc.mkdir(parents=True)
    (etc / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    groups = {"root": 0, "audio": 29, "video": 44, "input": 105, "render": 106}
    (etc / "group").write_text("".join(f"{g}:x:{n}:\n" for g, n in groups.items()))
    (etc / "shadow").write_text("root:*:19000:0:99999:7:::\n")
    (etc / "gshadow").write_text("".join(f"{g}:*::\n" for g in groups))
    for f in ("shadow", "gshadow"):
        (etc / f).chmod(0o600)
    return root


def install(*args: str) -> subprocess.CompletedProcess:
    res = subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr + res.stdout
    return res


def tree(root: Path) -> dict[str, tuple]:
    out = {}
    for p in sorted(root.rglob("*")):
        if ".git" in p.relative_to(root).parts:
            continue
        st = p.lstat()
        out[str(p.relative_to(root))] = (st.st_mode, st.st_uid, st.st_gid,
                                         p.read_bytes() if p.is_file() and not p.is_symlink()
                                         else os.readlink(p) if p.is_symlink() else None)
    return out


def test_install_kiosk_sets_up_an_image_and_a_second_run_changes_nothing(tmp_path):
    root = image(tmp_path)
    before = tree(root)
    dry = install("--root", str(root), "--dry-run")
    assert "would    user kiosk" in dry.stdout and "dry run: nothing was changed" in dry.stdout
    assert tree(root) == before  # a dry run changes nothing

    first = install("--root", str(root))
    assert "changed  user kiosk" in first.stdout and "change(s) made" in first.stdout
    passwd = dict(line.split(":", 1) for line in (root / "etc/passwd").read_text().splitlines())
    uid, gid, _gecos, home, shell = passwd["kiosk"].split(":")[1:6]
    assert (home, shell) == ("/var/lib/made-in-oman-kiosk", "/usr/sbin/nologin")
    for g in ("video", "render", "input", "audio"):
        line = next(x for x in (root / "etc/group").read_text().splitlines()
                    if x.startswith(g + ":"))
        assert "kiosk" in line.split(":")[3].split(","), line
    kiosk_home = root / "var/lib/made-in-oman-kiosk"
    assert kiosk_home.stat().st_mode & 0o777 == 0o700
    assert (kiosk_home.stat().st_uid, kiosk_home.stat().st_gid) == (int(uid), int(gid))
    app = root / "opt/made-in-oman"
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()
    assert subprocess.run(["git", "-C", str(app), "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip() == head
    assert (app / "kiosk" / "cli.py").is_file()
    unit = root / "etc/systemd/system" / UNIT
    assert unit.read_text() == (ROOT / "deploy/systemd" / UNIT).read_text()
    assert unit.stat().st_mode & 0o777 == 0o644
    wants = root / "etc/systemd/system/graphical.target.wants" / UNIT
    assert os.readlink(wants) == f"/etc/systemd/system/{UNIT}"

    installed = tree(root)
    second = install("--root", str(root))
    assert "nothing to change" in second.stdout and "changed" not in second.stdout.replace(
        "nothing to change", "")
    assert tree(root) == installed

    # Something put wrong is put right, and only that.
    kiosk_home.chmod(0o755)
    unit.write_text("tampered")
    third = install("--root", str(root))
    changed = [line for line in third.stdout.splitlines() if line.startswith("changed")]
    assert len(changed) == 2, third.stdout
    assert tree(root) == installed


def test_another_app_dir_is_written_into_the_unit(tmp_path):
    root = image(tmp_path)
    install("--root", str(root), "--app-dir", "/srv/kiosk")
    unit = (root / "etc/systemd/system" / UNIT).read_text()
    assert "/srv/kiosk/.venv/bin/kiosk run" in unit and "/opt/made-in-oman" not in unit
    assert (root / "srv/kiosk/kiosk/cli.py").is_file()


def test_a_dry_run_on_this_machine_lists_every_step_and_changes_nothing():
    watched = [Path("/opt/made-in-oman"), Path("/var/lib/made-in-oman-kiosk"),
               Path("/etc/systemd/system") / UNIT, Path("/etc/passwd"), Path("/etc/group")]
    before = [(p.exists(), p.stat().st_mtime_ns if p.exists() else None) for p in watched]
    res = install("--dry-run")
    steps = [line.split(None, 1)[1].split(":")[0].split(" (")[0]
             for line in res.stdout.splitlines()[:-1]]
    assert any(s.startswith("packages") for s in steps)
    for step in ("user kiosk", "KIOSK_HOME /var/lib/made-in-oman-kiosk", "venv", "code",
                 f"unit /etc/systemd/system/{UNIT}", "unit enabled"):
        assert any(s.startswith(step) for s in steps), (step, res.stdout)
    assert [(p.exists(), p.stat().st_mtime_ns if p.exists() else None)
            for p in watched] == before


def test_bad_options_are_refused_with_a_sentence(tmp_path):
    res = subprocess.run([str(SCRIPT), "--app-dir", "relative"], capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 2 and "absolute path" in res.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd is not installed")
def test_the_installed_unit_passes_systemd_analyze_verify(tmp_path):
    root = image(tmp_path)
    install("--root", str(root))
    unit = root / "etc/systemd/system" / UNIT
    proc = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True,
                          text=True, timeout=60)
    # As in test_service_manager: programs missing on this machine (cage, the image's venv)
    # are about the machine, not the unit.
    problems = [line for line in proc.stderr.splitlines()
                if UNIT in line and "is not executable" not in line
                and "No such file or directory" not in line]
    assert not problems, proc.stderr
