"""pytest set-up shared by the unit tests and nbval's notebook checks."""


def pytest_collectstart(collector):
    # Graphviz's SVG differs between `dot` builds: nbval compares text outputs
    # strictly but not the pictures (PNG is never compared).
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("image/svg+xml",)
