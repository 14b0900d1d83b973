"""cross_entropy and its gradient against outputs recorded from PyTorch.

torch.nn.functional.cross_entropy defines the semantics this library follows:
what 'mean' divides by, how weights combine with label smoothing, and what an
ignored row contributes. tests/data/record_torch_cross_entropy.py recorded its
float64 outputs for every combination of options on random logits, including
a masked (-inf) logit and an empty batch.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from softmax_ce import cross_entropy, cross_entropy_grad, cross_entropy_with_grad

RECORDING = json.loads(
    (Path(__file__).parent / "data" / "torch_cross_entropy.json").read_text(encoding="utf-8")
)
CASES = RECORDING["cases"]


def case_id(case: dict) -> str:
    weighted = "weighted" if case["weight"] is not None else "unweighted"
    return (
        f"{case['shape'][0]}x{case['shape'][1]}-{case['target_kind']}-{weighted}"
        f"-eps{case['label_smoothing']}-{case['reduction']}-ignore{case['ignore_index']}"
    )


def unpack(case: dict):
    logits = np.array(case["logits"], dtype=np.float64).reshape(case["shape"])
    if case["target_kind"] == "labels":
        target = np.array(case["target"], dtype=np.int64)
    else:
        target = np.array(case["target"], dtype=np.float64).reshape(case["shape"])
    options = {
        "weight": None if case["weight"] is None else np.array(case["weight"]),
        "label_smoothing": case["label_smoothing"],
        "reduction": case["reduction"],
    }
    if case["target_kind"] == "labels":
        options["ignore_index"] = case["ignore_index"]
    return logits, target, options


def test_recording_covers_options():
    assert len(CASES) > 100
    assert {case["reduction"] for case in CASES} == {"mean", "sum", "none"}
    assert any(case["shape"][0] == 0 for case in CASES)
    assert any(case["weight"] is not None and case["label_smoothing"] > 0 for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[case_id(case) for case in CASES])
def test_loss_matches_torch(case):
    logits, target, options = unpack(case)

    loss = cross_entropy(logits, target, **options)

    np.testing.assert_allclose(loss, np.array(case["loss"]), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=[case_id(case) for case in CASES])
def test_gradient_matches_torch(case):
    logits, target, options = unpack(case)
    if options["reduction"] == "none":
        # The recording contains the gradient of the summed loss, which 'sum' also gives.
        options["reduction"] = "sum"

    grad = cross_entropy_grad(logits, target, **options)
    fused_loss, fused_grad = cross_entropy_with_grad(logits, target, **options)

    expected = np.array(case["grad_of_sum"], dtype=np.float64).reshape(case["shape"])
    np.testing.assert_allclose(grad, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fused_grad, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fused_loss, cross_entropy(logits, target, **options), rtol=1e-15)
