"""Decide what the test run talks to, and say so.

Prints ``export NAME=value`` lines for the Makefile to eval. With CI=true a missing
PostgreSQL, Redis, Chromium or Graphviz is an error (exit 1); elsewhere the run goes on
without it and the tests that need it are skipped with a message.
"""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import sys
from pathlib import Path
from urllib.parse import urlparse

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
# Database 15 keeps test messages apart from a developer's own worker on database 0.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def say(message: str) -> None:
    print(f"[test services] {message}", file=sys.stderr)


def reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def main() -> int:
    exports: dict[str, str] = {}
    missing: list[str] = []
    if reachable(DATABASE_URL, 5432):
        exports["DATABASE_URL"] = DATABASE_URL
        say(f"PostgreSQL: {DATABASE_URL}")
    else:
        missing.append(f"PostgreSQL at {DATABASE_URL}")
        say("PostgreSQL not reachable: tests run on SQLite; PostgreSQL-only tests are skipped.")
    if reachable(REDIS_URL, 6379):
        exports["REDIS_URL"] = REDIS_URL
        say(f"Redis: {REDIS_URL}")
    else:
        missing.append(f"Redis at {REDIS_URL}")
        say("Redis not reachable: Celery worker tests are skipped.")
    if Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK):
        exports["CHROMIUM_PATH"] = CHROMIUM
        say(f"Chromium: {CHROMIUM}")
    else:
        missing.append(f"Chromium at {CHROMIUM}")
        say("Chromium not found: browser tests are skipped (apt-get install -y chromium).")
    if shutil.which("dot"):
        say("Graphviz: " + shutil.which("dot"))
    else:
        # Not a service, but the triage diagram tests draw with it; without it they fail, not skip.
        missing.append("Graphviz (dot)")
        say("Graphviz not found: triage diagram tests will fail (apt-get install -y graphviz).")
    if CI and missing:
        say("CI=true requires every service. Missing: " + "; ".join(missing))
        return 1
    exports["TOOLKIT_TEST_REQUIRE_SERVICES"] = "1" if CI else "0"
    for name, value in exports.items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
