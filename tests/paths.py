"""Where the real public data sits beside the repository; tests that need it skip cleanly when it is absent."""

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"


def real_file(relative: str) -> Path:
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"real data not available: {relative}")
    return path
