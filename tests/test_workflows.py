"""The GitHub workflows: valid against GitHub's workflow schema (offline), and doing what the README says.

Validation uses check-jsonschema's vendored copy of the schema (`--builtin-schema
vendor.github-workflows`), so it needs no network.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .support import REPO

WORKFLOWS = REPO / ".github" / "workflows"
PUBLISH = WORKFLOWS / "publish.yml"
TESTS = WORKFLOWS / "tests.yml"


def check_jsonschema() -> str:
    beside_python = Path(sys.executable).parent / "check-jsonschema"
    found = str(beside_python) if beside_python.exists() else shutil.which("check-jsonschema")
    if not found:
        pytest.fail("check-jsonschema is not installed: `make test` installs the test extras")
    return found


def validate(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([check_jsonschema(), "--builtin-schema", "vendor.github-workflows", *map(str, paths)],
                          capture_output=True, text=True, timeout=120)


def load(path: Path) -> dict:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True
    if True in workflow:
        workflow["on"] = workflow.pop(True)
    return workflow


def steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def uses(job: dict) -> list[str]:
    return [step["uses"].split("@")[0] for step in steps(job) if "uses" in step]


def runs(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in steps(job))


def test_workflows_match_the_github_schema():
    result = validate(PUBLISH, TESTS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("name: broken\non:\n  push:\njobs:\n  build:\n    steps:\n      - run: true\n", encoding="utf-8")
    result = validate(broken)  # a job without runs-on
    assert result.returncode != 0


def test_publish_runs_on_content_pushes_to_main_and_by_hand():
    triggers = load(PUBLISH)["on"]
    assert triggers["push"]["branches"] == ["main"]
    assert triggers["push"]["paths"] == ["content/**"]
    assert "workflow_dispatch" in triggers
    assert set(triggers) == {"push", "workflow_dispatch"}


def test_publish_installs_checks_and_builds_with_the_readme_commands():
    workflow = load(PUBLISH)
    build = workflow["jobs"]["build"]
    commands = runs(build)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make site" in readme
    # install, then check, then the strict build, in that order
    order = [commands.index("make install"), commands.index("policykb check"), commands.index("make site")]
    assert order == sorted(order)
    assert "--no-strict" not in commands and "--keep-going" not in commands
    assert "actions/checkout" in uses(build) and "actions/setup-python" in uses(build)


def test_publish_keeps_the_build_caches_between_runs():
    build = load(PUBLISH)["jobs"]["build"]
    caches = [step for step in steps(build) if step.get("uses", "").startswith("actions/cache@")]
    assert caches, "no actions/cache step"
    cached = caches[0]["with"]["path"].split()
    assert "build" in cached and ".venv" in cached
    assert caches[0]["with"].get("restore-keys"), "without restore-keys every new commit starts cold"
    python = next(step for step in steps(build) if step.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["cache"] == "pip"


def test_publish_deploys_site_to_github_pages():
    workflow = load(PUBLISH)
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert uses(build)[-2:] == ["actions/configure-pages", "actions/upload-pages-artifact"]
    upload = next(step for step in steps(build) if step.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "site"
    assert deploy["needs"] == "build"
    assert uses(deploy) == ["actions/deploy-pages"]
    assert deploy["environment"]["name"] == "github-pages"
    # least privilege: read-only by default, Pages rights only where the deployment happens
    assert workflow["permissions"] == {"contents": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert "permissions" not in build
    assert workflow["concurrency"]["group"] == "pages"
    assert workflow["concurrency"]["cancel-in-progress"] is False


def test_tests_workflow_runs_make_test_on_pull_requests():
    workflow = load(TESTS)
    assert "pull_request" in workflow["on"]
    assert workflow["permissions"] == {"contents": "read"}
    (job,) = workflow["jobs"].values()
    assert "make test" in runs(job)
    assert "actions/checkout" in uses(job)
    # Debian, where the set-up's apt-get installs chromium (Ubuntu's chromium is a snap)
    assert "bookworm" in job["container"] or "debian" in job["container"]
