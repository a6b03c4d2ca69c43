"""`python -m manifest build [--app-id GUID] [--out DIR]`: write the Teams app package.

Exit codes: 0 written, 1 the package failed a check (nothing written), 2 a bad setting.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from manifest.package import InvalidPackage, build_package
from manifest.settings import SettingsError, load_settings

EXIT_INVALID_PACKAGE = 1
EXIT_BAD_SETTING = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m manifest", description="Kotae's Teams app package.")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser(
        "build",
        help="build, validate and write build/kotae-teams-app.zip",
        description="Settings come from the environment and .env: MicrosoftAppId, KOTAE_APP_VERSION, "
        "KOTAE_MANIFEST_VERSION, KOTAE_APP_NAME, KOTAE_PUBLIC_HOST, KOTAE_DEVELOPER_NAME, KOTAE_DEVELOPER_URL, KOTAE_PRIVACY_URL, "
        "KOTAE_TERMS_URL, KOTAE_SCHEMAS_DIR. See docs/deploy.md.",
    )
    build.add_argument("--app-id", help="the bot's Microsoft App ID (default: MicrosoftAppId)")
    build.add_argument("--out", type=Path, default=Path("build"), help="output directory (default: build/)")
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    overrides = {"app_id": arguments.app_id} if arguments.app_id is not None else {}
    try:
        settings = load_settings(**overrides)
    except SettingsError as error:
        sys.stderr.write(f"{error}\n")
        return EXIT_BAD_SETTING
    try:
        report = build_package(settings, arguments.out)
    except InvalidPackage as invalid:
        sys.stderr.write("The Teams app package failed its checks; nothing was written:\n")
        sys.stderr.writelines(f"  - {problem}\n" for problem in invalid.problems)
        return EXIT_INVALID_PACKAGE
    for key in settings.placeholder_keys:
        sys.stderr.write(f"Warning: {key} is still a placeholder; set it before uploading to your tenant.\n")
    if report.schema_check_skipped:
        sys.stderr.write(f"Warning: schema check skipped: {report.schema_check_skipped}\n")
        checked = "GUID, version, icons and localisation keys checked; schemas NOT checked"
    else:
        checked = f"valid against the Teams v{settings.manifest_version} schemas in {settings.schemas_dir}"
    sys.stdout.write(
        f"Wrote {report.path} ({', '.join(report.files)})\n"
        f"App id {settings.app_id}, version {settings.app_version}, "
        f"manifest schema {settings.manifest_version}: {checked}.\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
