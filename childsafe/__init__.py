"""ChildSafe: one system for a province's programme protecting children online."""

__version__ = "0.1.0"
