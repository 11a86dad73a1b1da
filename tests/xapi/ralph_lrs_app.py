"""ralph's LRS server (``ralph.api:app``) with its file-system backend appending.

ralph-malph 5.1's file-system LRS backend stores every POST with the data backend's
default operation, "create", into one file (``fs_lrs.jsonl``), so the second POST
of statements answers 500 ("already exists and overwrite is not allowed"). An LRS
appends; this module sets that one default and serves ralph's own app unchanged.
"""

from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

from ralph.api import app  # noqa: E402

__all__ = ["app"]
