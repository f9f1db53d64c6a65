"""Static files in production: hashed and compressed by `collectstatic`, served by
WhiteNoise. Should `collectstatic` not have run, pages still render (with the files'
plain names, served from the source folders) instead of answering 500."""

from __future__ import annotations

import logging

from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger(__name__)


class ProductionStaticFilesStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False
    _warned = False

    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError:
            # Not collected: no manifest entry and no file to hash.
            if not ProductionStaticFilesStorage._warned:
                ProductionStaticFilesStorage._warned = True
                logger.warning(
                    "Static files are not collected (run `manage.py collectstatic`); "
                    "serving %s and the others under their plain names",
                    name,
                )
            return name
