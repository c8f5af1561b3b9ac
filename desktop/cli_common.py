"""What every `zzb` command module shares: opening an existing ledger, and a date typed on the command line.

It sits below cli.py and cli_excel.py, so neither has to import the other (no Qt here either).
"""

from __future__ import annotations

import argparse
from pathlib import Path


def missing_file(url: str) -> Path | None:
    """The SQLite file a URL names when that file does not exist (None for a server or an existing file)."""
    from desktop.services.db import sqlite_path

    path = sqlite_path(url)
    if path is not None and not path.exists():
        return path
    return None


def open_existing(db, *, as_of=None):
    """The ledger of an existing database file, on the day `as_of` (the CLI's --as-of) or today."""
    from desktop.services.db import to_url
    from desktop.services.errors import Refused
    from desktop.services.ledger import open_ledger

    url = to_url(db)
    missing = missing_file(url)
    if missing:
        raise Refused(f"数据库文件不存在：{missing}")
    return open_ledger(url, as_of=as_of)


def cli_date(text: str, label: str):
    """A date typed as an argument (any form services/dates.parse_date reads); refused with the argument's name."""
    from desktop.services.dates import parse_date
    from desktop.services.errors import ValidationError

    try:
        return parse_date(text)
    except ValueError as exc:
        raise ValidationError(f"{label}无效：{exc}") from None


def number_arg(parse: str, **kwargs):
    """An argparse type that reads the argument with services/numbers.py (`parse` names its function): a bad
    or out-of-range number is a usage error (exit 2) with the Chinese message naming the allowed range.
    The services are imported only when an argument is read, so `--help` stays quick."""

    def convert(text: str):
        from desktop.services import numbers
        from desktop.services.errors import ValidationError

        try:
            value = getattr(numbers, parse)(text, **kwargs)
        except ValidationError as exc:
            raise argparse.ArgumentTypeError(exc.message) from None
        if value is None:
            raise argparse.ArgumentTypeError(f"{kwargs.get('label', '数值')}不能为空")
        return value

    return convert


def year_arg():
    return number_arg("parse_year", label="年度")


def file_arg(label: str):
    """An argparse type for a file name that must not be empty (`-o ''`)."""

    def convert(text: str) -> str:
        if not text.strip():
            raise argparse.ArgumentTypeError(f"{label}不能为空，请写出文件名")
        return text

    return convert
