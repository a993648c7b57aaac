"""A synthetic spec set of N TRs (copies of seed specs under new API IDs), for scale tests.

Made on the fly into a temporary directory; never committed. Each copy gets its own method name
in its ``annotations`` (added when the seed spec leaves it to the rules).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from codegen.dump import dump_data

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
TEMPLATES = ("ka10001", "ka10005", "ka10006")


def make_synthetic_specs(directory: Path, count: int = 200) -> Path:
    """Write ``count`` TR specs (``kx00000`` ...) plus ``_common.yaml`` into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(SPECS / "_common.yaml", directory / "_common.yaml")
    texts = {api_id: (SPECS / f"{api_id}.yaml").read_text(encoding="utf-8") for api_id in TEMPLATES}
    for i in range(count):
        source = TEMPLATES[i % len(TEMPLATES)]
        api_id = f"kx{i:05d}"
        data = yaml.safe_load(texts[source].replace(source, api_id))
        annotations = data.setdefault("annotations", {})
        annotations["python_name"] = f"{annotations.get('python_name', 'get_' + source)}_{i}"
        (directory / f"{api_id}.yaml").write_text(dump_data(data), encoding="utf-8")
    return directory
