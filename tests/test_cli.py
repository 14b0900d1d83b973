"""The `softmax-ce derive` command line, run as a user would, in subprocesses."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DERIVATIONS = REPO_ROOT / "derivations"
CONSOLE_SCRIPT = Path(sys.executable).with_name("softmax-ce")
FINAL_LINE = "✓ all claims on this page hold"


def run_cli(*arguments, env_update=None, timeout=600):
    env = {key: value for key, value in os.environ.items() if not key.startswith("SOFTMAX_CE_")}
    env.update(env_update or {})
    return subprocess.run(
        [str(CONSOLE_SCRIPT), *arguments], env=env, capture_output=True, text=True, timeout=timeout
    )


def page_titles():
    """Return {name: title} from each derivation's first '# # ' line, read here independently."""
    titles = {}
    for path in DERIVATIONS.glob("[!_]*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# # "):
                titles[path.stem] = line[4:].strip()
                break
    return titles


def nav_order():
    """Return the derivation names in the order of the site navigation in mkdocs.yml."""
    config = (REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    return re.findall(r"^\s*- derivations/([a-z_]+)\.py\s*$", config, flags=re.MULTILINE)


def test_console_script_is_installed():
    assert CONSOLE_SCRIPT.exists(), f"{CONSOLE_SCRIPT} is missing; install the package with pip install -e ."


def test_help_describes_commands():
    result = run_cli("--help")
    assert result.returncode == 0
    assert "derive" in result.stdout
    assert "softmax-ce derive all --latex" in result.stdout

    result = run_cli("derive", "--help")
    assert result.returncode == 0
    for word in ("list", "all", "--latex", "NAME"):
        assert word in result.stdout


def test_list_shows_names_and_titles_in_nav_order():
    result = run_cli("derive", "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    titles = page_titles()
    assert len(lines) == len(titles) == 7
    listed = [line.split()[0] for line in lines]
    assert listed == nav_order()
    for line, name in zip(lines, listed):
        assert line.split(maxsplit=1)[1] == titles[name]


def test_derive_one_prints_steps():
    result = run_cli("derive", "shift_invariance_logsumexp")
    assert result.returncode == 0, result.stderr
    assert "LSE(z + c1) - LSE(z) = c" in result.stdout
    assert result.stdout.rstrip().endswith(FINAL_LINE)


def test_derive_latex_prints_latex():
    result = run_cli("derive", "shift_invariance_logsumexp", "--latex")
    assert result.returncode == 0, result.stderr
    assert "$$\\operatorname{LSE}(z + c\\mathbf{1}) - \\operatorname{LSE}(z) = c$$" in result.stdout


def test_derive_all_runs_every_derivation():
    result = run_cli("derive", "all", timeout=900)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(FINAL_LINE) == 7
    for name in nav_order():
        assert f" {name}: " in result.stdout
    assert "All 7 derivations ran" in result.stdout


def test_unknown_name_lists_valid_names():
    result = run_cli("derive", "softmax_jacobean")
    assert result.returncode == 2
    assert "unknown derivation 'softmax_jacobean'" in result.stderr
    for name in ("list", "all", *nav_order()):
        assert name in result.stderr


def test_missing_folder_is_reported(tmp_path):
    missing = tmp_path / "nowhere"
    result = run_cli("derive", "list", env_update={"SOFTMAX_CE_DERIVATIONS_DIR": str(missing)})
    assert result.returncode == 2
    assert "derivations folder not found" in result.stderr
    assert str(missing) in result.stderr


def test_all_reports_failed_derivation(tmp_path):
    (tmp_path / "holds.py").write_text('# %% [markdown]\n# # Holds\n\n# %%\nprint("fine")\n')
    (tmp_path / "breaks.py").write_text('# %% [markdown]\n# # Breaks\n\n# %%\nassert 1 == 2, "claim failed"\n')
    (tmp_path / "_helper.py").write_text("raise SystemExit('a helper is not a derivation')\n")
    result = run_cli("derive", "all", env_update={"SOFTMAX_CE_DERIVATIONS_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert "1 derivation(s) failed: breaks" in result.stderr
    assert "fine" in result.stdout
    assert "_helper" not in result.stdout


@pytest.mark.parametrize("latex", [False, True])
def test_latex_flag_sets_environment(tmp_path, latex):
    (tmp_path / "echo_flag.py").write_text('import os\nprint("flag=" + os.environ.get("SOFTMAX_CE_LATEX", ""))\n')
    arguments = ["derive", "echo_flag"] + (["--latex"] if latex else [])
    result = run_cli(*arguments, env_update={"SOFTMAX_CE_DERIVATIONS_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert f"flag={'1' if latex else ''}" in result.stdout


def test_module_entry_point_and_no_sympy_import():
    result = subprocess.run(
        [sys.executable, "-m", "softmax_ce.cli", "derive", "list"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "softmax_jacobian" in result.stdout
    # The library and its command line never import SymPy themselves.
    check = "import sys, softmax_ce, softmax_ce.cli; assert 'sympy' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", check], timeout=120).returncode == 0


@pytest.mark.parametrize("name", ["softmax_jacobian", "all"])
def test_closed_pipe_ends_quietly(name):
    # `softmax-ce derive NAME | head` used to end with a BrokenPipeError traceback.
    process = subprocess.Popen(
        [str(CONSOLE_SCRIPT), "derive", name],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.readline()
    process.stdout.close()  # the reader goes away after one line, as `head -1` does
    stderr = process.stderr.read().decode()
    process.stderr.close()

    assert process.wait(timeout=600) == 0
    assert "BrokenPipeError" not in stderr
    assert "Traceback" not in stderr
