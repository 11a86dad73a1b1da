"""What a line item we create says about "view submission" (LTI Submission Review 1.0).

A leaf: the delivery (which creates line items through AGS) and the deep-linking response
(which declares one) both use it, and the line-item reader imports the delivery.
"""

from __future__ import annotations

from typing import Any

#: activityProgress values for which the LMS offers "view submission" (every attempt
#: that has started has a report worth opening).
REVIEWABLE = ["InProgress", "Submitted", "Completed"]


def submission_review(launch_url: str) -> dict[str, Any]:
    """The ``submissionReview`` of a line item we create (LTI Submission Review 1.0 §3.1)."""
    return {"reviewableStatus": list(REVIEWABLE), "label": "Branchwise attempt report",
            "url": launch_url, "custom": {}}
