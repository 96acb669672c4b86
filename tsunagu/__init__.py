"""つなぐ (tsunagu): an encrypted static directory of a region's care resources."""

__version__ = "0.1.0"
