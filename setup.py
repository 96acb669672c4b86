"""Packages: tsunagu's own, plus the top-level templates/ mapped to tsunagu.web.templates (no copy at build time).

What `tsunagu init` gives a region (tsunagu/region/files: the dependency lock and the deploy tools' lock) are
symbolic links in the repository to the top-level files, so the sdist and the wheel carry their contents.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["tsunagu", "tsunagu.*"]), "tsunagu.web.templates"],
    package_dir={"tsunagu.web.templates": "templates"},
)
