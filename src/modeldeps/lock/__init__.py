"""Pin and verify models: ``models.lock``, its sources of pins, hashing, verification and fixes.

Nothing is imported here, so a scan that finds no lock pays nothing for this package.
"""

from __future__ import annotations

#: The lockfile's name at the root of a project.
LOCK_FILENAME = "models.lock"
