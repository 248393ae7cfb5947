"""The documentation site: `mkdocs build --strict` over docs/ (a broken link, a page left out of the
nav or a stale generated reference page fails it), and the generator of the reference pages."""
import importlib.util
import logging
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("reference_pages", ROOT / "docs" / "hooks" / "reference_pages.py")
reference_pages = importlib.util.module_from_spec(spec)
spec.loader.exec_module(reference_pages)


def test_mkdocs_build_strict(tmp_path, caplog):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(tmp_path / "site"), strict=True)
    with caplog.at_level(logging.WARNING, logger="mkdocs"):
        try:
            build(config)
        except Abort as abort:
            warnings = [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]
            pytest.fail(f"{abort}: {warnings}")
    assert (tmp_path / "site" / "reference" / "configs" / "index.html").is_file()
    assert (tmp_path / "site" / "assets" / "regimes.png").stat().st_size > 10_000


def test_the_generated_pages_are_current():
    assert reference_pages.stale_pages() == []


def test_a_stale_page_is_reported(tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs, symlinks=True)
    page = docs / "reference" / "cli.md"
    page.write_text(page.read_text().replace("itas run", "itas walk", 1))
    assert reference_pages.stale_pages(docs) == ["reference/cli.md"]


def test_config_documentation_is_read_from_the_comments():
    source = '''
DEFAULTS = {
    "data": {
        "root": None,       # a folder
        "dim": 64,
    },
    # workers: SLURM jobs at a time; partition: where
    # they run (null: the cluster's default)
    "cluster": {"workers": 4, "partition": None},
    "strategies": ["finetune"],  # names or entries
}
'''
    assert reference_pages.key_comments(source) == {
        "data.root": "a folder",
        "cluster.workers": "SLURM jobs at a time",
        "cluster.partition": "where they run (null: the cluster's default)",
        "strategies": "names or entries",
    }


def test_every_default_and_every_command_is_in_the_pages():
    from benchmarks.cli import COMMANDS
    from benchmarks.config import DEFAULTS

    configs, cli = reference_pages.configs_page(), reference_pages.cli_page()
    for section, value in DEFAULTS.items():
        assert f"## `{section}`" in configs
        for key in value if isinstance(value, dict) else ():
            assert f"| `{key}` |" in configs
    for command in COMMANDS:
        assert f"## itas {command}" in cli
    assert "| `--jobs JOBS` | `0` |" in cli


def test_readme_fits_and_its_links_and_test_command_hold():
    """README.md stays a front page (<= 12 KB); every local link and picture in it exists; .ci/run
    runs exactly its test command."""
    import re

    readme = (ROOT / "README.md").read_text()
    assert len(readme.encode()) <= 12_000
    targets = [target for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", readme) if "://" not in target]
    assert targets and [target for target in targets if not (ROOT / target).exists()] == []
    command = next(line.split("#")[0].strip() for line in readme.splitlines() if "pytest" in line and "pip install" in line)
    assert (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1] == command
