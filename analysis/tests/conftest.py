import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def migrasim_binary():
    binary = pathlib.Path(os.environ.get("MIGRASIM_BINARY", ROOT / "build" / "migrasim"))
    if not binary.exists():
        pytest.fail(f"{binary} not found: build first (./test.sh does)")
    return binary


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory, migrasim_binary):
    """A small run of the tiny test scenario, 3 replicates."""
    out = tmp_path_factory.mktemp("run") / "tiny.h5"
    subprocess.run([str(migrasim_binary), "run", str(ROOT / "tests" / "data" / "tiny.yaml"),
                    "-o", str(out), "--replicates", "3", "--quiet"], check=True)
    return out
