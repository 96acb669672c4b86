"""Ship the top-level templates/ inside the wheel, as tsunagu/web/templates (see pyproject.toml)."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithTemplates(build_py):
    """build_py that also copies templates/ into the built package."""

    def run(self) -> None:
        super().run()
        source = Path(__file__).resolve().parent / "templates"
        if source.is_dir() and not self.editable_mode:
            target = Path(self.build_lib) / "tsunagu" / "web" / "templates"
            shutil.copytree(source, target, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithTemplates})
