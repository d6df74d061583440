"""pytest set-up shared by the unit tests and nbval's notebook checks."""

import os


def pytest_configure(config):
    # Notebooks must not open windows or depend on the user's matplotlib settings.
    os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_collectstart(collector):
    # Graphviz's SVG differs between `dot` builds (and matplotlib's embeds a date):
    # nbval compares text outputs strictly but not the pictures.
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("image/svg+xml",)
