"""``python -m constructs_ecs new DIR``, also the ``constructs-ecs`` console script.

Imports no aws-cdk-lib: quick, and no Node.js needed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from constructs_ecs._errors import ConfigurationError
from constructs_ecs._scaffold import ScaffoldOptions, write_project
from constructs_ecs._version import __version__


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="constructs-ecs", description="constructs_ecs: AWS CDK constructs for ECS on EC2."
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    new = commands.add_parser(
        "new",
        help="write a new app: a platform and one web service, tests, ./dev, a PR review",
        description="Write a new CDK app into DIR: app.py (a platform and one web service), "
        "tests/, ./dev (synth, test, review), cdk.json, and a pull-request review workflow.",
    )
    new.add_argument("directory", metavar="DIR", type=Path, help="a new or empty directory")
    new.add_argument("--name", help="the app's stack name (default: DIR's name)")
    new.add_argument("--account", help="pin the stack to this AWS account (needs --region)")
    new.add_argument("--region", help="pin the stack to this Region (needs --account)")
    new.add_argument(
        "--https",
        metavar="DOMAIN",
        help="serve HTTPS for DOMAIN with an ACM certificate (default: plain HTTP)",
    )
    return parser


def _new(args: argparse.Namespace) -> None:
    directory: Path = args.directory
    name = args.name if args.name is not None else directory.resolve().name
    if args.name is None:
        name = name.replace("_", "-")
    options = ScaffoldOptions(name=name, account=args.account, region=args.region, https=args.https)
    try:
        options.validate()
    except ConfigurationError as error:
        if args.name is None and error.field == "--name":
            raise ConfigurationError(
                "DIR",
                str(directory),
                "its name is not a stack name (a letter, then letters, digits and hyphens): "
                "give --name NAME",
            ) from None
        raise
    written = write_project(directory, options)
    print(f"Wrote {len(written)} files into {directory}/:")
    for path in written:
        print(f"  {path.relative_to(directory)}")
    print("\nNext:")
    print(f"  cd {directory}")
    print("  ./dev synth    # the first run installs .venv/ and the CDK CLI")
    print("  ./dev test     # the first run records the snapshots")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        _new(args)
    except ConfigurationError as error:
        print(f"constructs-ecs {args.command}: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
