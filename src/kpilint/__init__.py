"""kpilint: a linter for KPI-as-code (KGI -> KSF -> KPI goal trees in YAML)."""

__version__ = "0.1.0"
