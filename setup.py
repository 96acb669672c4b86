"""Ship the top-level templates/ inside the wheel (tsunagu/web/templates) and the locks `init` copies (tsunagu/region/files)."""

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
        # What `tsunagu init` gives a region: the dependency lock and the deploy tools' lock.
        root = Path(__file__).resolve().parent
        for inside, outside in (("requirements.lock", "requirements.txt"),
                                ("deploy/package.json", ".github/deploy/package.json"),
                                ("deploy/package-lock.json", ".github/deploy/package-lock.json")):
            if (root / outside).is_file() and not self.editable_mode:
                target = Path(self.build_lib) / "tsunagu" / "region" / "files" / inside
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(root / outside, target)


setup(cmdclass={"build_py": BuildWithTemplates})
