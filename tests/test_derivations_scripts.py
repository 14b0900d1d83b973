"""Every derivation runs standalone, prints its steps, and fails when a claim is altered."""

import os
import shutil
import subprocess
import sys

import pytest

from test_derivations_toolkit import DERIVATIONS

NAMES = sorted(path.stem for path in DERIVATIONS.glob("[!_]*.py"))
FINAL_LINE = "✓ all claims on this page hold"


def run_script(path, cwd, latex=False):
    env = {key: value for key, value in os.environ.items() if key != "SOFTMAX_CE_LATEX"}
    if latex:
        env["SOFTMAX_CE_LATEX"] = "1"
    return subprocess.run(
        [sys.executable, str(path)], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_all_seven_derivations_found():
    assert len(NAMES) == 7, NAMES


@pytest.mark.parametrize("name", NAMES)
def test_script_runs_standalone(name, tmp_path):
    # Run from an unrelated folder: the script must find its toolkit by itself.
    result = run_script(DERIVATIONS / f"{name}.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.rstrip().endswith(FINAL_LINE)
    assert result.stdout.count("✓") >= 3, "each derivation confirms several steps"
    assert " = " in result.stdout, "the steps print equations"


def test_script_prints_latex_on_request(tmp_path):
    result = run_script(DERIVATIONS / "softmax_jacobian.py", cwd=tmp_path, latex=True)
    assert result.returncode == 0, result.stderr
    assert "$$\\frac{\\partial}{\\partial {z}_{j}} {p}_{i} = " in result.stdout
    assert "╲" not in result.stdout, "no Unicode art in LaTeX mode"


# Each case replaces a claim with a false one; the script must then stop with an AssertionError.
WRONG_CLAIMS = [
    (
        "softmax_jacobian",
        'assert_equal(jacobian_formula, p[i] * (sp.KroneckerDelta(i, j) - p[j]), "∂p_i/∂z_j',
        'assert_equal(jacobian_formula, p[i] * (sp.KroneckerDelta(i, j) + p[j]), "∂p_i/∂z_j',
    ),
    (
        # The common misstatement: log-sum-exp is shift invariant.
        "shift_invariance_logsumexp",
        'assert_equal(shift_of_logsumexp, c, "LSE(z + c1) = LSE(z) + c")',
        'assert_equal(shift_of_logsumexp, 0, "LSE(z + c1) = LSE(z) + c")',
    ),
    (
        "cross_entropy_gradient",
        'assert_equal(gradient_formula, p[j] - y[j], "∂L/∂z_j = p_j - y_j")',
        'assert_equal(gradient_formula, p[j] - 2 * y[j], "∂L/∂z_j = p_j - y_j")',
    ),
    (
        # The 'mean' reduction divided by N instead of the summed weights.
        "label_smoothing_class_weights",
        "kept[s] * w[labels[s]] * (P[s, j] - sp.KroneckerDelta(j, labels[s])) / mean_denominator,",
        "kept[s] * w[labels[s]] * (P[s, j] - sp.KroneckerDelta(j, labels[s])) / N,",
    ),
]


@pytest.mark.parametrize(("name", "claim", "wrong_claim"), WRONG_CLAIMS, ids=[case[0] for case in WRONG_CLAIMS])
def test_altered_claim_fails(name, claim, wrong_claim, tmp_path):
    copy = tmp_path / "derivations"
    shutil.copytree(DERIVATIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    script = copy / f"{name}.py"
    source = script.read_text(encoding="utf-8")
    assert source.count(claim) == 1, f"the claim to alter was not found once in {name}.py"
    script.write_text(source.replace(claim, wrong_claim), encoding="utf-8")

    result = run_script(script, cwd=tmp_path)
    assert result.returncode != 0
    assert "AssertionError: claim failed" in result.stderr
    assert FINAL_LINE not in result.stdout
