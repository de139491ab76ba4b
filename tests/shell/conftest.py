"""Fixtures of the shell tests: the headless Chromium of the report tests."""

from tests_browser import browser

__all__ = ["browser"]
