"""kpilint: a linter for KPI-as-code (KGI -> KSF -> KPI goal trees in YAML)."""

__version__ = "0.1.0"
DOCUMENTATION_URL = "https://kpilint.dev/rules/"
"""The ``Documentation`` URL of pyproject.toml's ``[project.urls]`` (a test keeps them equal):
a rule's page is this plus its name. A constant, not read from the installed metadata, whose
reader (``importlib.metadata``) costs a one-file run more than its rules."""
