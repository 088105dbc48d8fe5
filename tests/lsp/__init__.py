"""Helpers for the language server tests: a recording LSP client and edit application."""
