"""The portal's two caches, as ``settings.CACHES`` names them.

- ``django.core.cache.cache`` ("default"): what every process serving the portal must see alike
  (sessions, permissions, an environment's lists, the roles checklist). Shared through
  ``PORTAL_REDIS_URL`` where several processes serve the portal.
- :data:`renderings`: drawn pieces of pages and step checks, each under a digest of everything it
  shows or checks. An entry is never invalidated, only replaced by one under another key, so each
  process keeps its own in memory: reading one costs no network round trip, and a process that lacks
  one draws it again.
"""

from __future__ import annotations

from django.core.cache import caches
from django.utils.connection import ConnectionProxy

RENDERINGS = "renderings"

renderings = ConnectionProxy(caches, RENDERINGS)
