"""``python -m constructs_ecs.review cdk.out [--against BASE] [--max-chars N] [--output FILE]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from constructs_ecs.review import AssemblyError, render_report

GITHUB_COMMENT_LIMIT = 65536
"""Characters GitHub accepts in a pull-request comment body."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m constructs_ecs.review",
        description=(
            "Print a Markdown review report (traffic diagram, exposure, security-group ingress, "
            "IAM permissions, and changes) for a synthesized cloud assembly. Offline: reads "
            "only the cdk.out directories."
        ),
    )
    parser.add_argument("assembly", type=Path, help="the cloud assembly to review (cdk.out)")
    parser.add_argument(
        "--against",
        type=Path,
        metavar="BASE_CDK_OUT",
        help="the base branch's cloud assembly: also report what was added, removed or changed",
    )
    parser.add_argument(
        "--max-chars",
        type=int,
        default=GITHUB_COMMENT_LIMIT,
        metavar="N",
        help=(
            "shorten the report to at most N characters, leaving out the diagram, then whole "
            f"stack sections (default: {GITHUB_COMMENT_LIMIT}, what a GitHub comment holds; "
            "0: no limit)"
        ),
    )
    parser.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help="write the report to FILE instead of standard output",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        report = render_report(
            args.assembly, against=args.against, max_chars=args.max_chars or None
        )
    except AssemblyError as error:
        parser.error(str(error))
    if args.output is not None:
        args.output.write_text(report, encoding="utf-8")
    else:
        sys.stdout.buffer.write(report.encode("utf-8"))
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
