"""Tests in a real browser: Chromium driven by Playwright, pages checked with axe-core."""
