"""Themes, icons and fonts, installed as the package `infoshare_desktop.resources`.

The folder stays at the top of the repository; pyproject.toml maps it into the package,
and the code reads it with `importlib.resources`.
"""
