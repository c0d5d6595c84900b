"""Part of issue 15's URLs while it is built (folded into url_table.py / url_world.py afterwards).

TABLE: url name -> Expect, as in url_table.py. ARGUMENTS: argument name -> builder(world, workgroup), as in
url_world.py. extras(world, workgroup, coordinator): optional, creates rows the demo data lacks and stores
values in world.extra[(name, workgroup.pk)].
"""

from __future__ import annotations

from toolkit.tests.url_table import EVERYONE, page  # noqa: F401

TABLE: dict = {}
ARGUMENTS: dict = {}
