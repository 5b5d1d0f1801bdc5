"""`make package STAGE=dev`: one CloudFormation template and one Lambda bundle.

Refuses a non-local stage without its public URL and e-mail sender (see
`sapa_cli.stage_settings`) before writing anything. Then writes the merge
template generated from the resource and permission declarations, copies
`templates/` into `vendor/` (Chalice bundles only app.py, chalicelib/ and
vendor/, aws/chalice#469; vendor's contents land at the bundle root, next to
chalicelib/, where the renderer looks), and runs `chalice package`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from sapa_cli import stage_settings
from sapa_cli.stage_settings import StageSettings, StageSettingsMissing

ROOT = Path(__file__).resolve().parents[1]
CHALICE_CONFIG = ROOT / ".chalice" / "config.json"


def settings_for(
    stage: str,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, str | None] | None = None,
    config_path: Path = CHALICE_CONFIG,
) -> StageSettings:
    """The stage's required settings; raises StageSettingsMissing for a stage that lacks them."""
    return stage_settings.resolve(
        stage, config_path=config_path, environ=os.environ if environ is None else environ, overrides=overrides
    )


def write_merge_template(settings: StageSettings, path: Path) -> None:
    # Only the handlers' names matter here, not the stage the app was imported with.
    import app
    from sapa_cli.cfn import merge_template

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(merge_template(settings, app.app), indent=2, sort_keys=True))


def vendor_templates(root: Path = ROOT) -> None:
    target = root / "vendor" / "templates"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(root / "templates", target)


def package(stage: str, out: Path, settings: StageSettings | None = None) -> Path:
    settings = settings or settings_for(stage)
    if settings.stage != stage:
        raise ValueError(f"settings are for stage {settings.stage!r}, not {stage!r}")
    out.mkdir(parents=True, exist_ok=True)
    merge = out / "merge.json"
    write_merge_template(settings, merge)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Package Sapa for CloudFormation")
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--public-url", default=None, help=f"overrides {stage_settings.PUBLIC_URL}")
    parser.add_argument("--email-sender", default=None, help=f"overrides {stage_settings.EMAIL_SENDER}")
    args = parser.parse_args(argv)
    overrides = {stage_settings.PUBLIC_URL: args.public_url, stage_settings.EMAIL_SENDER: args.email_sender}
    try:
        settings = settings_for(args.stage, overrides=overrides)
    except StageSettingsMissing as refused:
        print(f"make package: {refused}", file=sys.stderr)
        return 2
    out = args.out or ROOT / "dist" / args.stage
    template = package(args.stage, out, settings)
    print(f"wrote {template} and {out / 'deployment.zip'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
