"""GitHub files: workflows parse, call what exists, keep forks read-only; the matcher fits real errors."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from cluster_kb.commands import COMMANDS, cli
from cluster_kb.records.models import ECOSYSTEMS

ROOT = Path(__file__).parent.parent
GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
FIXTURE = Path(__file__).parent / "fixtures" / "kb"

# Inputs each action declares in its action.yml, for the major version used (read from the
# actions' repositories). A misspelt input is silently ignored by GitHub, so it is checked here.
ACTIONS: dict[str, set[str]] = {
    "actions/checkout@v4": {"repository", "ref", "token", "persist-credentials", "path", "fetch-depth", "submodules"},
    "actions/setup-python@v5": {"python-version", "python-version-file", "cache", "cache-dependency-path", "architecture"},
    "actions/configure-pages@v5": {"static_site_generator", "generator_config_file", "token", "enablement"},
    "actions/upload-pages-artifact@v4": {"name", "path", "retention-days"},
    "actions/deploy-pages@v4": {"token", "timeout", "error_count", "reporting_interval", "artifact_name", "preview"},
    "lycheeverse/lychee-action@v2": {
        *("args", "debug", "fail", "failIfEmpty", "format", "jobSummary", "lycheeVersion", "output", "token"),
    },
    "peter-evans/create-issue-from-file@v5": {"token", "issue-number", "title", "content-filepath", "labels", "assignees"},
}


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text("utf-8"))
    assert isinstance(data, dict), path
    return data


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    """The `on:` mapping; YAML 1.1 (PyYAML) reads the key `on` as the boolean True."""
    on = workflow["on"] if "on" in workflow else workflow[True]
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return dict(on)


def steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def make_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text("utf-8")
    return {m.group(1) for m in re.finditer(r"^([A-Za-z][\w.-]*)\s*:(?!=)", text, re.MULTILINE)}


def subcommands() -> set[str]:
    parser = cli.build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return set(action.choices)  # type: ignore[arg-type]


def commands_in(script: str) -> list[list[str]]:
    """Each shell command line of a `run:` block (continuations joined), as words."""
    script = script.replace("\\\n", " ")
    found = []
    for line in script.splitlines():
        for part in re.split(r"&&|\|\||;|\|", line):
            part = part.strip()
            if part and not part.startswith("#"):
                try:
                    found.append(shlex.split(part, comments=True))
                except ValueError:
                    found.append(part.split())
    return [words for words in found if words]


def calls(script: str) -> list[tuple[str, str]]:
    """(tool, first argument) of every `make X` and `cluster-kb X` in a script."""
    result = []
    for words in commands_in(script):
        for index, word in enumerate(words[:-1]):
            tool = word.rsplit("/", 1)[-1]
            if tool in ("make", "cluster-kb"):
                result.append((tool, words[index + 1]))
    return result


def all_scripts() -> list[tuple[str, str]]:
    """Every script the GitHub files and the pre-commit config run, with where it comes from."""
    scripts = []
    for path in WORKFLOWS:
        for step in steps(load(path)):
            if "run" in step:
                scripts.append((f"{path.name}: {step.get('name', step['run'][:30])}", step["run"]))
    for repo in load(ROOT / ".pre-commit-config.yaml")["repos"]:
        for hook in repo["hooks"]:
            if "entry" in hook:
                scripts.append((f".pre-commit-config.yaml: {hook['id']}", hook["entry"]))
    return scripts


def test_every_github_yaml_file_parses() -> None:
    paths = [*WORKFLOWS, *sorted((GITHUB / "ISSUE_TEMPLATE").glob("*.yml")), ROOT / ".pre-commit-config.yaml"]
    assert {p.name for p in WORKFLOWS} == {"ci.yml", "pages.yml", "links.yml"}
    for path in paths:
        load(path)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_shape(path: Path) -> None:
    workflow = load(path)
    assert workflow["name"]
    assert triggers(workflow)
    assert workflow["permissions"], "every workflow states its token's permissions"
    for name, job in workflow["jobs"].items():
        assert job["runs-on"] == "ubuntu-latest", name
        assert isinstance(job.get("timeout-minutes"), int), f"{name}: a hung job must not run for six hours"
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step


def test_workflows_run_only_make_targets_and_subcommands_that_exist() -> None:
    targets, verbs = make_targets(), subcommands()
    seen = set()
    for where, script in all_scripts():
        for tool, argument in calls(script):
            seen.add((tool, argument))
            if tool == "make":
                assert argument in targets, f"{where}: `make {argument}` is not a Makefile target ({sorted(targets)})"
            else:
                assert argument in verbs, f"{where}: `cluster-kb {argument}` is not a subcommand ({sorted(verbs)})"
        for words in commands_in(script):
            if words[0].startswith((".ci/", "./")):
                script_path = ROOT / words[0]
                assert script_path.is_file() and os.access(script_path, os.X_OK), f"{where}: {words[0]} is not executable"
                for tool, argument in calls(script_path.read_text("utf-8")):
                    assert tool != "make" or argument in targets, f"{words[0]}: `make {argument}` is not a target"
                    seen.add((tool, argument))
    assert {("make", "test"), ("make", "validate"), ("make", "site"), ("cluster-kb", "schema")} <= seen


def test_the_call_checker_sees_what_it_checks() -> None:
    """The parser above must find calls in the shapes the workflows use, or the test proves nothing."""
    assert calls("make validate") == [("make", "validate")]
    assert calls("echo x && .venv/bin/cluster-kb validate content # note") == [("cluster-kb", "validate")]
    assert calls("a \\\n  | make   site") == [("make", "site")]
    assert "nonexistent" not in make_targets() and "validate" in make_targets()
    assert {module.__name__.rsplit(".", 1)[-1] for module in COMMANDS} <= subcommands()


def test_actions_are_pinned_and_given_only_their_declared_inputs() -> None:
    for path in WORKFLOWS:
        for step in steps(load(path)):
            if "uses" not in step:
                continue
            assert step["uses"] in ACTIONS, f"{path.name}: {step['uses']} is not an action this project reviewed"
            unknown = set(step.get("with", {})) - ACTIONS[step["uses"]]
            assert not unknown, f"{path.name}: {step['uses']} has no input {sorted(unknown)}"


def test_pull_requests_run_read_only_and_without_secrets() -> None:
    for path in WORKFLOWS:
        code = "\n".join(line.split("#", 1)[0] for line in path.read_text("utf-8").splitlines())
        assert "pull_request_target" not in code, f"{path.name}: pull_request_target would give forks a write token"
        for trigger in triggers(load(path)):
            assert trigger in {"pull_request", "push", "workflow_dispatch", "schedule"}, trigger
    ci = load(GITHUB / "workflows" / "ci.yml")
    assert set(triggers(ci)) >= {"pull_request", "push"}
    assert ci["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in ci["jobs"].values())
    assert "secrets." not in (GITHUB / "workflows" / "ci.yml").read_text("utf-8")
    checkouts = [s for s in steps(ci) if s.get("uses", "").startswith("actions/checkout")]
    assert checkouts and all(s["with"]["persist-credentials"] is False for s in checkouts)


def test_ci_registers_the_matcher_before_validating_and_builds_strictly() -> None:
    ci = load(GITHUB / "workflows" / "ci.yml")
    runs = [step.get("run", "") for step in ci["jobs"]["content"]["steps"]]
    matcher = next(i for i, run in enumerate(runs) if "::add-matcher::.github/cluster-kb-matcher.json" in run)
    validate = next(i for i, run in enumerate(runs) if ("make", "validate") in calls(run))
    build = next(i for i, run in enumerate(runs) if ("make", "site") in calls(run))
    assert matcher < validate < build
    # `make site` runs `cluster-kb build`, which always builds strictly (tests/test_build.py shows a
    # warning failing it); mkdocs.yml leaves strict off so that `mkdocs serve --dirty` can run.
    makefile = (ROOT / "Makefile").read_text("utf-8")
    recipe = makefile.split("\nsite:", 1)[1].split("\n\n", 1)[0]
    assert "cluster-kb build" in recipe


def test_pages_deploys_the_built_site_with_the_repositorys_address() -> None:
    pages = load(GITHUB / "workflows" / "pages.yml")
    assert set(triggers(pages)) == {"push", "workflow_dispatch"}
    assert triggers(pages)["push"] == {"branches": ["main"]}
    assert pages["concurrency"]["group"] and pages["concurrency"]["cancel-in-progress"] is False
    build, deploy = pages["jobs"]["build"], pages["jobs"]["deploy"]
    configure = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/configure-pages"))
    assert configure["id"] == "pages"
    site = next(s for s in build["steps"] if ("make", "site") in calls(s.get("run", "")))
    assert site["env"]["SITE_URL"].startswith("${{ steps.pages.outputs.base_url }}")
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "site"
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"] for s in deploy["steps"]] == ["actions/deploy-pages@v4"]
    assert "write" not in json.dumps(build["permissions"])
    assert "SITE_URL" in (ROOT / "mkdocs.yml").read_text("utf-8")


def test_link_check_reports_in_an_issue_and_never_fails() -> None:
    links = load(GITHUB / "workflows" / "links.yml")
    assert set(triggers(links)) == {"schedule", "workflow_dispatch"}
    assert links["permissions"] == {"contents": "read", "issues": "write"}
    job_steps = links["jobs"]["links"]["steps"]
    lychee = next(s for s in job_steps if s.get("uses", "").startswith("lycheeverse/lychee-action"))
    assert lychee["with"]["fail"] is False
    assert lychee["with"]["args"].split()[-1] == "site"
    linkcheck = next(s for s in job_steps if s.get("id") == "linkcheck")
    assert ("make", "linkcheck") in calls(linkcheck["run"])
    assert "set +e" in linkcheck["run"] and "exit_code=" in linkcheck["run"]  # a dead link reports, never fails
    assert job_steps.index(linkcheck) > job_steps.index(lychee)  # appends to lychee's report
    report = next(s for s in job_steps if s.get("uses", "").startswith("peter-evans/create-issue-from-file"))
    assert report["if"] == "steps.lychee.outputs.exit_code != 0 || steps.linkcheck.outputs.exit_code != 0"
    assert report["with"]["content-filepath"] == lychee["with"]["output"]
    assert report["with"]["issue-number"] == "${{ steps.report.outputs.number }}"  # update, not a new issue a week


def test_problem_matcher_matches_real_validate_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    matcher = json.loads((GITHUB / "cluster-kb-matcher.json").read_text("utf-8"))["problemMatcher"]
    assert len(matcher) == 1 and matcher[0]["owner"] == "cluster-kb"
    pattern = matcher[0]["pattern"][0]
    regexp = re.compile(pattern["regexp"])  # the same syntax in JavaScript and Python for this pattern

    shutil.copytree(FIXTURE, tmp_path / "content")
    broken = tmp_path / "content" / "clusters" / "example-wine-cluster.yaml"
    broken.write_text(broken.read_text("utf-8").replace("founded: 2008", "founded: long ago"), "utf-8")
    (tmp_path / "content" / "sectors" / "health.yaml").write_text("name: Health\nsources: []\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["validate", "content"]) == 1
    lines = capsys.readouterr().out.splitlines()

    matches = [m for line in lines if (m := regexp.match(line))]
    assert len(matches) == len(lines) - 1 == 3, lines
    assert not regexp.match(lines[-1])  # "3 errors in 2 files" is no annotation
    first = matches[0]
    assert first.group(pattern["file"]) == "content/clusters/example-wine-cluster.yaml"
    assert Path(first.group(pattern["file"])).is_file()
    line_number = int(first.group(pattern["line"]))
    column = int(first.group(pattern["column"]))
    assert broken.read_text("utf-8").splitlines()[line_number - 1][column - 1 :] == "long ago"
    assert first.group(pattern["severity"]) == "error"
    assert first.group(pattern["message"]) == "founded: expected a whole number, got 'long ago'"
    for other in ("make: *** [Makefile:31: validate] Error 1", ".venv/bin/cluster-kb validate content", ""):
        assert not regexp.match(other)


def test_pre_commit_runs_validation_and_the_pinned_ruff() -> None:
    config = load(ROOT / ".pre-commit-config.yaml")
    local = next(repo for repo in config["repos"] if repo["repo"] == "local")
    validate = next(hook for hook in local["hooks"] if hook["id"] == "cluster-kb-validate")
    assert re.match(validate["files"], "content/clusters/x.yaml") and not re.match(validate["files"], "docs/x.md")
    ruff = next(repo for repo in config["repos"] if repo["repo"] == "https://github.com/astral-sh/ruff-pre-commit")
    assert [hook["id"] for hook in ruff["hooks"]] == ["ruff"]
    pinned = re.search(r"^ruff==(\S+)$", (ROOT / "constraints.txt").read_text("utf-8"), re.MULTILINE)
    assert pinned and ruff["rev"] == f"v{pinned.group(1)}"


def test_issue_form_asks_for_sources_and_offers_the_models_sectors() -> None:
    form = load(GITHUB / "ISSUE_TEMPLATE" / "propose-a-case.yml")
    assert form["name"] and form["description"]
    fields = [item for item in form["body"] if item["type"] != "markdown"]
    ids = [item["id"] for item in fields]
    assert len(ids) == len(set(ids))
    for item in fields:
        assert item["type"] in {"input", "textarea", "dropdown", "checkboxes"}
        assert item["attributes"]["label"]
    by_id = {item["id"]: item for item in fields}
    assert by_id["sources"]["validations"]["required"] is True
    assert by_id["sectors"]["attributes"]["options"] == list(ECOSYSTEMS)
    assert load(GITHUB / "ISSUE_TEMPLATE" / "config.yml")["blank_issues_enabled"] is True


def test_pull_request_template_has_a_checklist() -> None:
    template = (GITHUB / "PULL_REQUEST_TEMPLATE.md").read_text("utf-8")
    items = re.findall(r"^- \[ \] (.+)$", template, re.MULTILINE)
    assert len(items) >= 5
    assert any("source" in item for item in items) and any("make validate" in item for item in items)
