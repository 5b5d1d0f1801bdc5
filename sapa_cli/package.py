"""`make package STAGE=dev`: one CloudFormation template and one Lambda bundle.

Writes the merge template generated from the resource declaration, copies
`templates/` into `vendor/` (Chalice bundles only app.py, chalicelib/ and
vendor/, aws/chalice#469; vendor's contents land at the bundle root, next to
chalicelib/, where the renderer looks), then runs `chalice package`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def write_merge_template(stage: str, path: Path) -> None:
    # Only the handlers' names matter here, not the stage the app was imported with.
    import app
    from sapa_cli.cfn import merge_template

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(merge_template(stage, app.app), indent=2, sort_keys=True))


def vendor_templates(root: Path = ROOT) -> None:
    target = root / "vendor" / "templates"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(root / "templates", target)


def package(stage: str, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    merge = out / "merge.json"
    write_merge_template(stage, merge)
    vendor_templates()
    chalice = str(Path(sys.executable).parent / "chalice")
    env = dict(os.environ, SAPA_STAGE=stage)
    env.setdefault("AWS_DEFAULT_REGION", "ap-southeast-3")  # chalice insists; the template uses AWS::Region
    subprocess.run(
        [chalice, "package", "--stage", stage, "--merge-template", str(merge), str(out)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return out / "sam.json"


def main() -> None:
    parser = argparse.ArgumentParser(description="Package Sapa for CloudFormation")
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or ROOT / "dist" / args.stage
    template = package(args.stage, out)
    print(f"wrote {template} and {out / 'deployment.zip'}")


if __name__ == "__main__":
    main()
