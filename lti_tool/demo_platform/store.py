"""In-memory, thread-safe state of the demo LMS (course, people, links, grades, tokens).

This is a demo/test harness: nothing is persisted, every mutation happens under one lock.
"""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from .ags_behaviour import AgsBehaviour

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
ROLE_LEARNER = LIS + "membership#Learner"
ROLE_INSTRUCTOR = LIS + "membership#Instructor"
ROLE_CONTEXT_ADMIN = LIS + "membership#Administrator"
ROLE_STUDENT = LIS + "institution/person#Student"
ROLE_FACULTY = LIS + "institution/person#Faculty"
ROLE_INST_ADMIN = LIS + "institution/person#Administrator"
ROLE_SYS_ADMIN = LIS + "system/person#Administrator"

ROLE_SETS: dict[str, list[str]] = {
    "learner": [ROLE_LEARNER, ROLE_STUDENT],
    "instructor": [ROLE_INSTRUCTOR, ROLE_FACULTY],
    "admin": [ROLE_SYS_ADMIN, ROLE_INST_ADMIN, ROLE_CONTEXT_ADMIN],
}

ACTIVITY_PROGRESS = ("Initialized", "Started", "InProgress", "Submitted", "Completed")
GRADING_PROGRESS = ("FullyGraded", "Pending", "PendingManual", "Failed", "NotReady")


@dataclass
class User:
    """A person known to the demo LMS; ``id`` is both the login_hint and the ``sub``."""

    id: str
    name: str
    given_name: str
    family_name: str
    email: str
    role: str  # learner | instructor | admin
    locale: str = "en"

    @property
    def roles(self) -> list[str]:
        """LIS v2 role URIs sent in the roles claim and in NRPS."""
        return list(ROLE_SETS[self.role])

    @property
    def is_staff(self) -> bool:
        """Instructors and admins may add activities and see the gradebook."""
        return self.role in ("instructor", "admin")


@dataclass
class Course:
    """The single seeded course (LTI context)."""

    id: str
    label: str
    title: str


@dataclass
class ResourceLink:
    """A placement of the tool in the course."""

    id: str
    context_id: str
    title: str
    url: str
    custom: dict[str, str] = field(default_factory=dict)
    text: str = ""
    lineitem_id: str | None = None
    created_by: str = "seed"  # "seed" | "deep_link"


@dataclass
class LineItem:
    """An AGS line item (a gradebook column)."""

    id: str
    context_id: str
    label: str
    score_maximum: float
    resource_id: str | None = None
    tag: str | None = None
    resource_link_id: str | None = None
    start_date_time: str | None = None
    end_date_time: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ScoreRecord:
    """One received score POST, applied or not (stale ones are kept with applied=False)."""

    seq: int
    lineitem_id: str
    user_id: str
    score: dict[str, Any]
    received_at: float
    applied: bool
    reason: str = ""
    status: int = 200  # the HTTP status the platform answered
    stored_at: float | None = None  # the time kept for comparing the next score

    @property
    def timestamp(self) -> datetime:
        """The score's own timestamp, parsed (validated before a record is made)."""
        return datetime.fromisoformat(self.score["timestamp"])


@dataclass
class IssuedToken:
    """An access token handed out by ``/token``."""

    token: str
    client_id: str
    scopes: list[str]
    expires_at: float
    issued_at: float


class PlatformStore:
    """All mutable demo LMS state behind one re-entrant lock."""

    def __init__(self, tool_launch_url: str) -> None:
        self.lock = threading.RLock()
        self._tool_launch_url = tool_launch_url
        self.reset()

    # ------------------------------------------------------------------ seeding
    def reset(self) -> None:
        """Drop everything and re-seed the course, the people and ``rl-1``."""
        with self.lock:
            self.course = Course(id="course-101", label="C101", title="Course 101")
            self.users: dict[str, User] = {
                u.id: u
                for u in (
                    User(
                        "alice", "Alice Anders", "Alice", "Anders", "alice@example.edu", "learner"
                    ),
                    User("bob", "Bob Bravo", "Bob", "Bravo", "bob@example.edu", "learner", "es"),
                    User("chen", "Chen Cao", "Chen", "Cao", "chen@example.edu", "learner"),
                    User(
                        "tess", "Tess Teacher", "Tess", "Teacher", "tess@example.edu", "instructor"
                    ),
                    User("ada", "Ada Admin", "Ada", "Admin", "ada@example.edu", "admin"),
                )
            }
            self.resource_links: dict[str, ResourceLink] = {}
            self.line_items: dict[str, LineItem] = {}
            self.scores: list[ScoreRecord] = []
            self.tokens: dict[str, IssuedToken] = {}
            self.tokens_issued = 0
            self.token_requests: list[dict[str, Any]] = []
            self.used_jtis: set[str] = set()
            self.used_dl_nonces: set[str] = set()
            self.launches: list[dict[str, Any]] = []
            self.deep_link_requests: dict[str, dict[str, Any]] = {}
            self.deep_link_returns: list[dict[str, Any]] = []
            self._next_link = 1
            self._next_lineitem = 1
            self._next_score = 1
            link = self.add_resource_link(
                "Branchwise activity",
                self._tool_launch_url,
                custom={"activity": "intro"},
                text="The seeded Branchwise activity.",
                link_id="rl-1",
            )
            self.create_line_item(
                {
                    "label": "Branchwise activity",
                    "scoreMaximum": 100,
                    "resourceId": "branchwise-intro",
                    "tag": "grade",
                    "resourceLinkId": link.id,
                },
                context_id=self.course.id,
            )

    def add_learners(self, count: int, prefix: str = "learner") -> list[str]:
        """Enrol ``count`` more learners (``learner-00001`` ...) for load tests."""
        with self.lock:
            start = sum(1 for u in self.users if u.startswith(prefix + "-"))
            ids = []
            for n in range(start + 1, start + count + 1):
                uid = f"{prefix}-{n:05d}"
                self.users[uid] = User(uid, f"Learner {n}", "Learner", str(n),
                                       f"{uid}@example.edu", "learner")
                ids.append(uid)
            return ids

    # ------------------------------------------------------------ resource links
    def add_resource_link(
        self,
        title: str,
        url: str,
        *,
        custom: dict[str, str] | None = None,
        text: str = "",
        link_id: str | None = None,
        created_by: str = "seed",
    ) -> ResourceLink:
        """Create a resource link in the course; ids are ``rl-<n>``."""
        with self.lock:
            if link_id is None:
                while f"rl-{self._next_link}" in self.resource_links:
                    self._next_link += 1
                link_id = f"rl-{self._next_link}"
            self._next_link += 1
            link = ResourceLink(
                id=link_id,
                context_id=self.course.id,
                title=title,
                url=url,
                custom=dict(custom or {}),
                text=text,
                created_by=created_by,
            )
            self.resource_links[link.id] = link
            return link

    # ----------------------------------------------------------------- line items
    def create_line_item(self, data: dict[str, Any], *, context_id: str) -> LineItem:
        """Create a line item from (validated) AGS JSON; links it to its resource link."""
        with self.lock:
            item_id = str(self._next_lineitem)
            self._next_lineitem += 1
            item = LineItem(id=item_id, context_id=context_id, label="", score_maximum=1)
            self._apply_line_item_fields(item, data)
            self.line_items[item_id] = item
            link = self.resource_links.get(item.resource_link_id or "")
            if link is not None and link.lineitem_id is None:
                link.lineitem_id = item_id
            return item

    def update_line_item(self, item_id: str, data: dict[str, Any]) -> LineItem | None:
        """Replace a line item's fields (PUT); returns None when unknown."""
        with self.lock:
            item = self.line_items.get(item_id)
            if item is None:
                return None
            self._apply_line_item_fields(item, data)
            return item

    def delete_line_item(self, item_id: str) -> bool:
        """Delete a line item and its scores; returns False when unknown."""
        with self.lock:
            item = self.line_items.pop(item_id, None)
            if item is None:
                return False
            self.scores = [s for s in self.scores if s.lineitem_id != item_id]
            for link in self.resource_links.values():
                if link.lineitem_id == item_id:
                    link.lineitem_id = None
            return True

    @staticmethod
    def _apply_line_item_fields(item: LineItem, data: dict[str, Any]) -> None:
        item.label = str(data["label"])
        item.score_maximum = float(data["scoreMaximum"])
        item.resource_id = data.get("resourceId")
        item.tag = data.get("tag")
        item.resource_link_id = data.get("resourceLinkId")
        item.start_date_time = data.get("startDateTime")
        item.end_date_time = data.get("endDateTime")
        known = {
            "id",
            "label",
            "scoreMaximum",
            "resourceId",
            "tag",
            "resourceLinkId",
            "startDateTime",
            "endDateTime",
        }
        item.extra = {k: v for k, v in data.items() if k not in known}

    def find_line_items(
        self,
        context_id: str,
        *,
        resource_link_id: str | None = None,
        resource_id: str | None = None,
        tag: str | None = None,
    ) -> list[LineItem]:
        """Line items of a context, filtered as in AGS 2.0 §3.2.4."""
        with self.lock:
            items = [i for i in self.line_items.values() if i.context_id == context_id]
        if resource_link_id is not None:
            items = [i for i in items if i.resource_link_id == resource_link_id]
        if resource_id is not None:
            items = [i for i in items if i.resource_id == resource_id]
        if tag is not None:
            items = [i for i in items if i.tag == tag]
        return sorted(items, key=lambda i: int(i.id))

    # --------------------------------------------------------------------- scores
    def record_score(
        self, lineitem_id: str, score: dict[str, Any], behaviour: AgsBehaviour | None = None
    ) -> ScoreRecord:
        """Store a validated score; it is applied only if its timestamp is newer.

        AGS 2.0 §3.4.8: a platform must not update a result with a score whose
        timestamp is not later than the last one applied; we keep it in the history
        with ``applied=False`` so tests can see it. ``behaviour`` decides what "newer"
        means and what is answered (Moodle: whole seconds and 409; Canvas: 400).
        """
        with self.lock:
            user_id = str(score["userId"])
            current = self.latest_score(lineitem_id, user_id)
            stored = None
            if current is not None:
                stored = (current.stored_at if current.stored_at is not None
                          else current.timestamp.timestamp())
            verdict = (behaviour or AgsBehaviour()).judge(score, stored)
            record = ScoreRecord(
                seq=self._next_score,
                lineitem_id=lineitem_id,
                user_id=user_id,
                score=copy.deepcopy(score),
                received_at=time.time(),
                applied=verdict.applied,
                reason=verdict.reason,
                status=verdict.status,
                stored_at=verdict.stored_at,
            )
            self._next_score += 1
            self.scores.append(record)
            return record

    def latest_score(self, lineitem_id: str, user_id: str) -> ScoreRecord | None:
        """The last applied score for (line item, user), if any."""
        with self.lock:
            for record in reversed(self.scores):
                if (
                    record.applied
                    and record.lineitem_id == lineitem_id
                    and record.user_id == user_id
                ):
                    return record
        return None

    # --------------------------------------------------------------------- tokens
    def add_token(self, token: IssuedToken, request_info: dict[str, Any]) -> None:
        """Remember an issued access token and count it."""
        with self.lock:
            self.tokens[token.token] = token
            self.tokens_issued += 1
            self.token_requests.append(request_info)

    def get_token(self, token: str) -> IssuedToken | None:
        """Look up a live (unexpired) token."""
        with self.lock:
            issued = self.tokens.get(token)
        if issued is None or issued.expires_at <= time.time():
            return None
        return issued

    def expire_tokens(self) -> int:
        """Expire every issued token (for testing a tool's re-authentication)."""
        with self.lock:
            for tok in self.tokens.values():
                tok.expires_at = 0
            return len(self.tokens)

    # ---------------------------------------------------------------- snapshots
    def snapshot(self) -> dict[str, Any]:
        """Everything as JSON-ready data (for ``/_test/state``)."""
        with self.lock:
            return {
                "course": asdict(self.course),
                "users": [{**asdict(u), "roles": u.roles} for u in self.users.values()],
                "resource_links": [asdict(link) for link in self.resource_links.values()],
                "line_items": [asdict(i) for i in self.line_items.values()],
                "scores": [asdict(s) for s in self.scores],
                "tokens_issued": self.tokens_issued,
                "token_requests": copy.deepcopy(self.token_requests),
                "launches": copy.deepcopy(self.launches),
                "deep_link_returns": copy.deepcopy(self.deep_link_returns),
            }
