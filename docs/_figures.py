"""Shared matplotlib style for the executed pages in docs/ (a helper module, not a page).

Figures have a transparent background with dark grey text and axes. The site's
stylesheet puts images on a light card in the dark colour scheme, so the same
PNG reads well in both schemes.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib_inline.backend_inline import set_matplotlib_formats

# Three well-separated colours from matplotlib's tab10 cycle, one per class.
CLASS_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c")
INK = "#333333"


def use_site_style() -> None:
    """Set the inline figure format and the rcParams shared by every page."""
    # "retina" draws at twice the pixel density and halves the displayed size.
    set_matplotlib_formats("retina")
    plt.rcParams.update(
        {
            "figure.figsize": (7.0, 3.2),
            "figure.dpi": 100,
            "figure.facecolor": "none",
            "axes.facecolor": "none",
            "savefig.transparent": True,
            "font.size": 10,
            "text.color": INK,
            "axes.labelcolor": INK,
            "axes.edgecolor": INK,
            "axes.titlesize": 10,
            "xtick.color": INK,
            "ytick.color": INK,
            "legend.frameon": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
