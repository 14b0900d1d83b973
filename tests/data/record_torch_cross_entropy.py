"""Record torch.nn.functional.cross_entropy outputs as a reference for the tests.

torch is not a dependency of softmax-ce, so its outputs are recorded once into
torch_cross_entropy.json beside this script and the tests replay them. Rerun
with any Python that has torch and NumPy (torch 2.13.0 CPU recorded the file):

    python tests/data/record_torch_cross_entropy.py

Each case stores the inputs, the options, the loss and the gradient of the
summed loss with respect to the logits, all in float64.
"""

import itertools
import json
from pathlib import Path

import numpy as np
import torch

OUTPUT = Path(__file__).with_name("torch_cross_entropy.json")


def make_cases(rng):
    shapes = [(6, 4), (1, 3), (0, 5), (3, 2)]
    for batch, classes in shapes:
        logits = rng.normal(scale=4.0, size=(batch, classes))
        if batch >= 3:
            logits[2, 0] = -np.inf  # a masked logit
        labels = rng.integers(0, classes, size=batch)
        probs = rng.dirichlet(np.ones(classes), size=batch)
        options = itertools.product(
            [None, rng.uniform(0.2, 3.0, size=classes).round(3).tolist()],
            [0.0, 0.1, 0.5],
            ["mean", "sum", "none"],
            ["labels", "probs"],
            [-100, -1],
        )
        for weight, smoothing, reduction, kind, ignore_index in options:
            if kind == "probs" and ignore_index != -100:
                continue
            target = labels.copy() if kind == "labels" else probs
            if kind == "labels" and ignore_index == -1 and batch >= 2:
                target[1] = -1
            yield logits, target, weight, smoothing, reduction, kind, ignore_index


def record():
    rng = np.random.default_rng(20261204)
    cases = []
    for logits, target, weight, smoothing, reduction, kind, ignore_index in make_cases(rng):
        torch_logits = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
        torch_target = torch.tensor(target)
        loss = torch.nn.functional.cross_entropy(
            torch_logits,
            torch_target,
            weight=None if weight is None else torch.tensor(weight, dtype=torch.float64),
            ignore_index=ignore_index,
            reduction=reduction,
            label_smoothing=smoothing,
        )
        loss.sum().backward()
        cases.append(
            {
                "shape": list(logits.shape),
                "logits": [[float(v) for v in row] for row in logits],
                "target": target.tolist(),
                "target_kind": kind,
                "weight": weight,
                "label_smoothing": smoothing,
                "reduction": reduction,
                "ignore_index": ignore_index,
                "loss": loss.detach().numpy().tolist(),
                "grad_of_sum": torch_logits.grad.numpy().tolist(),
            }
        )
    header = {"torch_version": torch.__version__, "dtype": "float64", "cases": cases}
    OUTPUT.write_text(json.dumps(header, allow_nan=True) + "\n", encoding="utf-8")
    print(f"wrote {len(cases)} cases to {OUTPUT}")


if __name__ == "__main__":
    record()
