"""A synthetic spec set of N TRs (copies of the seed specs under new API IDs), for scale tests.

Made on the fly into a temporary directory; never committed.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
TEMPLATES = ("ka10001", "ka10005", "ka10006")
_METHOD = re.compile(r"^(  python_name: )(\w+)$", re.MULTILINE)


def make_synthetic_specs(directory: Path, count: int = 200) -> Path:
    """Write ``count`` TR specs (``kx00000`` ...) plus ``_common.yaml`` into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(SPECS / "_common.yaml", directory / "_common.yaml")
    texts = {api_id: (SPECS / f"{api_id}.yaml").read_text(encoding="utf-8") for api_id in TEMPLATES}
    for i in range(count):
        source = TEMPLATES[i % len(TEMPLATES)]
        api_id = f"kx{i:05d}"
        text = texts[source].replace(source, api_id)
        text = _METHOD.sub(lambda m, i=i: f"{m.group(1)}{m.group(2)}_{i}", text)
        (directory / f"{api_id}.yaml").write_text(text, encoding="utf-8")
    return directory
