"""The ``corelib`` command line: ``corelib plugins`` / ``python -m corelib plugins``.

Adding a subcommand (say ``corelib train``) is a one-line change to ``SUBCOMMANDS`` below
plus a module that defines two functions::

    # corelib/_cli_train.py
    HELP = "train a model from a config file"
    def configure(parser): parser.add_argument("config")   # argparse sub-parser
    def main(args) -> int: ...                             # args: argparse.Namespace

Keep heavy imports (numpy, the Tensor core) inside ``main`` so that ``corelib --help``
and the other subcommands stay fast.
"""
from __future__ import annotations

import argparse
import importlib
import sys

#: subcommand name -> module holding HELP, configure(parser) and main(args) -> int.
SUBCOMMANDS = {
    "plugins": "corelib._cli_plugins",
    "train": "corelib._cli_train",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corelib", description="corelib: PyTorch's API on numpy/numba, with plugin bundles.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in SUBCOMMANDS.items():
        module = importlib.import_module(module_name)
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.configure(p)
        p.set_defaults(_main=module.main)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "_main", None) is None:
        parser.print_help(sys.stderr)
        return 2
    return int(args._main(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
