"""Placeholder: parses a member comment into a Meaning (replaced by the meaning issue)."""
from __future__ import annotations

from .model import Meaning


def parse_meaning(comment: str) -> Meaning:
    return Meaning(known=False, text=comment)


def differences(a: Meaning, b: Meaning) -> list[str]:
    return []
