"""Branchwise's default policy: diagnose, teach, practise to BKT mastery, remediate, review.

Per skill, in prerequisite order (a skill is offered once its prerequisites are mastered or
known; a skill whose prerequisite was flagged still gets its diagnostic, so that what the
learner knows is measured, and is otherwise "blocked": not reached, needs the prerequisite
first; never flagged, since the learner is not stuck on it):

1. **Diagnostic** (the expert's shortcut): up to ``diagnostic_items`` items flagged
   ``diagnostic``, hardest first, asked sequentially; while the evidence is undecided it goes
   on with further items of the skill, up to ``DIAGNOSTIC_MAX`` answers, and it ends (unknown)
   once the posterior is below ``DIAGNOSTIC_LOW`` or the threshold is out of reach. The skill
   is "known" (skipped) when the last answer is correct, at least
   ``MIN_DIAGNOSTIC_CORRECT`` (2) answers were given — one lucky answer never certifies a
   skill — and the diagnostic posterior reaches the threshold. The posterior is BKT with
   learning at ``DIAGNOSTIC_LEARN`` of the model's rate (the skill's guess/slip, the guess
   raised to each item's chance rate) from a
   *learner-level prior*: Laplace's rule over this learner's earlier diagnostics,
   ``(0.5 + passed) / (1 + taken)``, clipped to [``PRIOR_LOW``, ``PRIOR_HIGH``]. The cap keeps a
   run of earlier passes (some of them lucky) from vouching for the next skill; a learner who
   passed earlier diagnostics needs fewer items, a new learner needs three.
2. **Lesson**: the skill's lesson page, if any; after an undecided diagnostic (posterior at
   least ``DEFER_LESSON``) it is deferred to the first wrong practice answer.
3. **Practice** until P(mastery) ≥ threshold, also with learning at ``ROBUST_LEARN`` of the
   model's rate, *and* the last ``MIN_FINAL_STREAK`` answers are
   correct (mastery-correct: no hint; never fewer than ``MIN_PRACTICE_STREAK`` = 2), and a
   guesser would produce that streak with probability at most ``STREAK_CHANCE`` / (1 + wrong
   practice answers so far). After a wrong answer the answer group's destination is
   honoured (a remediation page, or a given item); otherwise the next item is the closest
   easier one not asked recently. After a correct answer the item closest to a difficulty that
   rises with P(mastery) is chosen.
4. **Review**: after 3 wrong in the last 4 practice answers, the learner reviews the weakest
   prerequisite whose P(mastery) is below the threshold (its lesson page as "review", then up to
   ``REVIEW_ITEMS`` items), at most ``MAX_REVIEWS`` times per skill.
5. **Cap**: after ``practice_cap`` practice items without mastery the skill is flagged
   ("practice cap") and the policy moves on; a run of right answers is not cut off by the
   cap (``base.cap_reached``: a learner who answered every practice item right is not
   stuck). The module finishes when every target skill (and its prerequisites) is mastered,
   known or flagged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from adaptive.mastery.bkt import bkt_update
from adaptive.modules.format import BKTParams
from adaptive.policy.base import (
    DIAGNOSTIC,
    KNOWN,
    LESSON,
    MASTERED,
    NOT_STARTED,
    PRACTISING,
    AskItem,
    Context,
    Response,
    ShowPage,
    Step,
    answered_skill,
    ask,
    block,
    cap_reached,
    count_practice,
    finish,
    flag,
    lesson_step,
    next_open_skill,
    pick_item,
    practise,
    unmet_prerequisites,
)

# Tuned on sim-branch-v1 (docs/benchmarks.md, "Simulated learners").
PRIOR_PSEUDO = 0.5  # pseudo pass/fail counts of the learner-level diagnostic prior
PRIOR_LOW = 0.35  # floor: even after failed diagnostics three right answers can skip
PRIOR_HIGH = 0.75  # cap of the carried prior (issue 12: 0.9 let one lucky answer skip a skill)
MIN_DIAGNOSTIC_CORRECT = 2  # correct diagnostic answers needed before a skill can be skipped
MIN_PRACTICE_STREAK = 2  # the final streak of practice is never shorter than this
#: Practice ends only when a pure guesser would produce the final streak with at most this
#: probability (the product of the streak's guess rates), divided by the number of streaks
#: the learner has started on the skill (every wrong answer starts a new one, and each is a
#: new chance of a lucky run): two right on four-choice items (1/16) end a clean practice,
#: three are needed on three-choice items or after a wrong answer, four after three wrong.
STREAK_CHANCE = 0.07
DIAGNOSTIC_EXTRA = 2  # items a sequential diagnostic may add to settings.diagnostic_items
DIAGNOSTIC_MARGIN = 0.002  # the diagnostic posterior must reach threshold + margin
PRACTICE_MARGIN = 0.0  # practice P(mastery) must reach threshold + margin (capped at 0.999)
MIN_FINAL_STREAK = 2  # correct answers in a row that must end practice ...
CONFIDENT_PRIOR = 0.7  # ... or, for a learner whose diagnostic prior was at least this,
CONFIDENT_STREAK = 2  # this many
REVIEW_ITEMS = 2
MAX_REVIEWS = 2
MAX_REMEDIATIONS = 2  # remediation pages per skill per sitting
RECENT_KEEP = 6
# Issue 12, item 4 (tuned on sim-branch-v1 `default` only; docs/benchmarks.md, "Robustness").
#: The sequential diagnostic may go on past the module's diagnostic items with other items
#: of the skill, up to this many answers in all, while the evidence is still ambiguous ...
DIAGNOSTIC_MAX = 6
#: ... and stops (unknown) as soon as the posterior falls below this.
DIAGNOSTIC_LOW = 0.3
#: A diagnostic that ended undecided, with posterior at least this, defers the lesson: the
#: learner practises first and gets the lesson at the first wrong practice answer (an expert
#: who slipped once is not made to read what they know). Below it the lesson comes first.
DEFER_LESSON = 0.3
#: Practice ends only when P(mastery) also reaches the threshold with learning at this share
#: of the model's rate (a learner slower than the module assumes is not taken to have learnt
#: from a few items: the Doroudi & Brunskill effect on the slowest quarter).
ROBUST_LEARN = 0.5
#: Share of the model's learning rate counted between diagnostic answers (0: none). A
#: diagnostic item is practice too: the feedback teaches. Counting none makes a learner who
#: did not know the skill at the first item and learnt it look like a lucky guesser, and makes
#: every expert without a carried prior answer three items (docs/benchmarks.md, "oracle
#: bound"). The share is practice's slow-learning share (``ROBUST_LEARN``): the full rate
#: broke the slowest quarter's false-mastery goal on a held-out model; this one was judged
#: on fresh held-out models (docs/benchmarks.md, "Fresh held-out models").
DIAGNOSTIC_LEARN = ROBUST_LEARN


def diagnostic_prior(
    state: dict[str, Any],
    pseudo: float = PRIOR_PSEUDO,
    low: float = PRIOR_LOW,
    high: float = PRIOR_HIGH,
    mixed: float | None = None,
) -> float:
    """The learner-level prior for the next diagnostic: the share of this learner's earlier
    diagnostics passed, smoothed with ``pseudo`` pass and fail counts, clipped to [low, high].

    ``mixed``: when the earlier diagnostics disagree with each other (at least one passed and
    one not), the prior is at least this: a mixed record says the learner's skills do not go
    all one way, and the share passed of a few skills is then a poor guide to the next one."""
    passed: int = state.get("diag_passed", 0)
    taken: int = state.get("diag_taken", 0)
    p = (pseudo + passed) / (2 * pseudo + taken)
    if mixed is not None and 0 < passed < taken:
        p = max(p, mixed)
    return min(high, max(low, p))


def diagnostic_posterior(
    params: BKTParams,
    prior: float,
    answers: list[bool],
    guesses: Sequence[float] | None = None,
    learn: float = 0.0,
) -> float:
    """P(known) after the diagnostic answers; ``learn`` is the chance that an unknown skill
    becomes known after each answer (0: no learning between them, the default).

    ``guesses``, when given, is the guess used for each answer (the item's, raised to its
    chance rate); otherwise ``params.guess`` for all."""
    k, u = prior, 1.0 - prior
    for n, correct in enumerate(answers):
        guess = guesses[n] if guesses is not None and n < len(guesses) else params.guess
        if correct:
            k, u = k * (1.0 - params.slip), u * guess
        else:
            k, u = k * params.slip, u * (1.0 - guess)
        total = k + u
        if total <= 0.0:
            break
        k, u = k / total, u / total
        k, u = k + u * learn, u * (1.0 - learn)
    return k


class AdaptivePolicy:
    """See the module docstring. Stateless: everything lives in the state dict."""

    name = "adaptive"

    def __init__(
        self,
        *,
        min_final_streak: int = MIN_FINAL_STREAK,
        prior_pseudo: float = PRIOR_PSEUDO,
        prior_low: float = PRIOR_LOW,
        prior_high: float = PRIOR_HIGH,
        diagnostic_margin: float = DIAGNOSTIC_MARGIN,
        seed_estimate: bool = True,
        diagnostic_extra: int = DIAGNOSTIC_EXTRA,
        confident_prior: float | None = CONFIDENT_PRIOR,
        confident_streak: int | None = CONFIDENT_STREAK,
        stop_on_wrong: bool = False,
        practice_margin: float = PRACTICE_MARGIN,
        streak_chance: float = STREAK_CHANCE,
        defer_lesson: float | None = DEFER_LESSON,
        diagnostic_max: int | None = DIAGNOSTIC_MAX,
        diagnostic_low: float = DIAGNOSTIC_LOW,
        practice_robust: bool = True,
        robust_learn: float = ROBUST_LEARN,
        diagnostic_learn: float = DIAGNOSTIC_LEARN,
        mixed_prior: float | None = None,
        retest_difficulty: float | None = None,
    ) -> None:
        # Tried and rejected on `default` (docs/benchmarks.md, "Robustness"): weighing right
        # answers as if guess and slip were 0.05 higher, in the skip and in practice (the
        # "pessimistic skip"); it cost experts 0.1-0.4 items per known skill, past the waste
        # goal, and was removed.
        self.practice_robust = practice_robust
        self.mixed_prior = mixed_prior
        self.retest_difficulty = retest_difficulty
        self.robust_learn = robust_learn
        self.diagnostic_learn = diagnostic_learn
        self.defer_lesson = defer_lesson
        self.diagnostic_max = diagnostic_max
        self.diagnostic_low = diagnostic_low
        self.streak_chance = streak_chance
        self.practice_margin = practice_margin
        self.stop_on_wrong = stop_on_wrong
        self.confident_prior = confident_prior
        self.confident_streak = confident_streak
        self.diagnostic_extra = diagnostic_extra
        self.min_final_streak = min_final_streak
        self.prior_pseudo = prior_pseudo
        self.prior_low = prior_low
        self.prior_high = prior_high
        self.diagnostic_margin = diagnostic_margin
        self.seed_estimate = seed_estimate

    def _prior(self, state: dict[str, Any]) -> float:
        return diagnostic_prior(state, self.prior_pseudo, self.prior_low, self.prior_high,
                                self.mixed_prior)

    # ---------------------------------------------------------------- choose

    def choose(self, ctx: Context, state: dict[str, Any]) -> Step:
        while state["queue"]:
            queued = state["queue"].pop(0)
            step = self._from_queue(ctx, state, queued)
            if step is not None:
                return step
        review = state.get("review")
        if review is not None:
            item = pick_item(ctx, state, review["skill"])
            if item is not None and review["left"] > 0:
                return ask(ctx, item, review["skill"], "review")
            state["review"] = None
        def diagnose(sid: str) -> bool:
            return self._diagnostic_length(ctx, sid) > 0

        while True:
            sid = next_open_skill(ctx, state, diagnose)
            if sid is None:
                return finish(ctx, state)
            step = self._step_for_skill(ctx, state, sid)
            if step is not None:
                return step

    def _from_queue(
        self, ctx: Context, state: dict[str, Any], queued: dict[str, Any]
    ) -> Step | None:
        if queued["type"] == "page":
            if queued["page_id"] not in ctx.index.pages:
                return None
            ss = state["skills"].get(queued.get("skill") or "")
            if queued["reason"] == "remediation" and ss is not None:
                # At most MAX_REMEDIATIONS remediation pages per skill per sitting: a third
                # reading of the same explanation teaches little; practice goes on instead.
                if ss.get("remediations", 0) >= MAX_REMEDIATIONS:
                    return None
                ss["remediations"] = ss.get("remediations", 0) + 1
            return ShowPage(queued["page_id"], queued.get("skill"), queued["reason"])
        item_id = queued["item_id"]
        if item_id not in ctx.index.item_pos:
            return None
        item = ctx.module.item(item_id)
        skill = queued.get("skill") or item.primary_skill
        if item.variants is None and item_id in state["history"]:
            # An authored "go to item" that was already shown: the closest easier item the
            # learner has not seen (or a variant with new numbers) instead, if there is one.
            item = pick_item(ctx, state, skill, easier_than=item.difficulty) or item
        return ask(ctx, item, skill, queued["phase"])

    def _step_for_skill(self, ctx: Context, state: dict[str, Any], sid: str) -> Step | None:
        ss = state["skills"][sid]
        if ss["status"] == NOT_STARTED:
            ss["status"] = DIAGNOSTIC if self._diagnostic_length(ctx, sid) else LESSON
            if ss["status"] == DIAGNOSTIC:
                prior = self._prior(state)
                ss["diag_prior"] = prior
                if self.seed_estimate and ss["est"].get("n", 0) == 0:
                    ss["est"] = {**ss["est"], "k": prior, "u": 1.0 - prior}
        if ss["status"] == DIAGNOSTIC:
            n, length = len(ss["diag"]), self._diagnostic_length(ctx, sid)
            pool = ctx.index.diagnostic_by_skill[sid]
            if self.retest_difficulty is not None and n < length and False in ss["diag"]:
                # After a wrong answer the test goes on with the skill's items of middle
                # difficulty (relative to its range), not the next-hardest diagnostic item.
                diffs = [i.difficulty for i in ctx.index.items_by_skill.get(sid, ())]
                mid = (max(diffs) + min(diffs)) / 2 if diffs else 0.0
                half = (max(diffs) - min(diffs)) / 2 if diffs else 0.0
                item = pick_item(ctx, state, sid,
                                 target_difficulty=mid + self.retest_difficulty * half)
                if item is not None:
                    return ask(ctx, item, sid, "diagnostic")
            if n < min(len(pool), length):
                return ask(ctx, pool[n], sid, "diagnostic")
            if n < length:  # undecided past the pool: further items of the skill
                item = pick_item(ctx, state, sid, target_difficulty=0.0)
                if item is not None:
                    return ask(ctx, item, sid, "diagnostic")
            ss["status"] = LESSON
        needs = unmet_prerequisites(ctx, state, sid)
        if needs:  # only its diagnostic may run while a prerequisite is flagged
            block(state, sid, needs)
            return None
        if ss["status"] == LESSON and ss.get("lesson_deferred"):
            ss["status"] = PRACTISING
        page = lesson_step(ctx, ss, sid)
        if page is not None:
            return page
        # PRACTISING
        if self.practice_robust and "rob" not in ss:
            # The slow-learning estimate starts where practice starts (``_robust_practice``).
            ss["rob"] = {"k": ss["est"]["k"], "u": ss["est"]["u"]}
        p = ctx.model.p_mastery(ss["est"])
        last_id = self._last_item_of(ctx, state, sid)
        if ss["recent"] and not ss["recent"][-1] and last_id is not None:
            item = pick_item(ctx, state, sid, easier_than=ctx.module.item(last_id).difficulty)
        else:
            item = pick_item(ctx, state, sid, target_difficulty=-1.0 + 2.0 * p)
        return practise(ctx, state, sid, item)

    def _diagnostic_length(self, ctx: Context, sid: str) -> int:
        """The most diagnostic items a skill may take (0: no diagnostic)."""
        if ctx.settings.diagnostic_items <= 0:
            return 0
        wanted = ctx.settings.diagnostic_items + self.diagnostic_extra
        pool = len(ctx.index.diagnostic_by_skill[sid])
        if pool == 0:
            return 0
        if self.diagnostic_max is not None:
            return max(min(wanted, pool), min(self.diagnostic_max,
                                              len(ctx.index.items_by_skill.get(sid, ()))))
        return min(wanted, pool)

    @staticmethod
    def _last_item_of(ctx: Context, state: dict[str, Any], sid: str) -> str | None:
        history: list[str] = state["history"]
        for iid in reversed(history):
            item = ctx.module.item(iid)
            if item.primary_skill == sid:
                return iid
        return None

    # --------------------------------------------------------------- observe

    def observe(
        self,
        ctx: Context,
        state: dict[str, Any],
        step: Step,
        response: Response,
        correct: bool | None,
        evaluation: Any = None,
    ) -> None:
        ss = answered_skill(state, step, correct)
        if ss is None:
            return
        # answered_skill returns a skill state only for a graded answer to an item.
        assert isinstance(step, AskItem) and correct is not None
        if step.phase == "diagnostic" and ss["status"] == DIAGNOSTIC:
            self._observe_diagnostic(ctx, state, step.skill, ss, correct, step.item_id)
        elif step.phase == "review":
            review = state.get("review")
            if review is not None:
                review["left"] -= 1
                p = ctx.model.p_mastery(state["skills"][review["skill"]]["est"])
                if review["left"] <= 0 or (correct and p >= ctx.settings.mastery_threshold):
                    state["review"] = None
        elif step.phase == "practice" and ss["status"] == PRACTISING:
            self._observe_practice(ctx, state, step, ss, correct, evaluation)

    def _observe_diagnostic(
        self,
        ctx: Context,
        state: dict[str, Any],
        sid: str,
        ss: dict[str, Any],
        correct: bool,
        item_id: str,
    ) -> None:
        ss["diag"].append(correct)
        # An attempt started before the cap was lowered keeps its stored prior, capped now.
        prior = min(self.prior_high, ss.get("diag_prior", self._prior(state)))
        params = ctx.model.params_for(sid)
        length = self._diagnostic_length(ctx, sid)
        pool = ctx.index.diagnostic_by_skill[sid]
        # Each answer's own guess (the item's, raised to its chance rate); a state from
        # before this key had its n-th answer on the n-th item of the pool.
        ss.setdefault("diag_guess", [ctx.model.params_for(sid, i.id).guess
                                     for i in pool[: len(ss["diag"]) - 1]])
        ss["diag_guess"].append(ctx.model.params_for(sid, item_id).guess)
        guesses = ss["diag_guess"]
        left = length - len(ss["diag"])
        # The items still to come: the pool's next ones, then (continuation) the worst guess.
        nxt = [ctx.model.params_for(sid, i.id).guess for i in pool[len(ss["diag"]):length]]
        ahead = guesses + nxt + [max(guesses + nxt)] * (left - len(nxt))
        learn = params.learn * self.diagnostic_learn
        posterior = diagnostic_posterior(params, prior, ss["diag"], ahead, learn)
        ss["diag_post"] = posterior
        threshold = min(0.999, ctx.settings.mastery_threshold + self.diagnostic_margin)
        # Sequential test: stop (unknown) once the posterior is below ``diagnostic_low``, or
        # when even all-correct answers to the remaining items could not reach the threshold
        # (or the minimum number correct).
        rest = [True] * max(0, left)
        best = diagnostic_posterior(params, prior, ss["diag"] + rest, ahead, learn)
        reachable = ss["diag"].count(True) + len(rest) >= MIN_DIAGNOSTIC_CORRECT
        done = (
            (self.stop_on_wrong and not correct)
            or left <= 0
            or best < threshold
            or not reachable
            or posterior < self.diagnostic_low
        )
        enough = ss["diag"].count(True) >= MIN_DIAGNOSTIC_CORRECT
        if correct and enough and posterior >= threshold:
            ss["status"] = KNOWN
            # The skill was shown known: the estimate reflects the diagnostic posterior.
            if posterior > ss["est"]["k"]:
                ss["est"] = {**ss["est"], "k": posterior, "u": 1.0 - posterior}
            state["diag_taken"] = state.get("diag_taken", 0) + 1
            state["diag_passed"] = state.get("diag_passed", 0) + 1
        elif done:
            ss["status"] = LESSON
            state["diag_taken"] = state.get("diag_taken", 0) + 1
            if self.defer_lesson is not None and posterior >= self.defer_lesson:
                # Probably known (a slip ended the test): practise first; the lesson comes
                # at the first wrong practice answer.
                ss["lesson_deferred"] = True

    def _observe_practice(
        self,
        ctx: Context,
        state: dict[str, Any],
        step: AskItem,
        ss: dict[str, Any],
        correct: bool,
        evaluation: Any,
    ) -> None:
        sid = step.skill
        count_practice(ss, correct, RECENT_KEEP)
        guess = ctx.model.params_for(sid, step.item_id).guess
        # P(a guesser gets the current streak right); a state from before this key existed
        # is taken as a streak on items with the skill's own guess.
        chance = ss.get("streak_chance", ctx.model.params_for(sid).guess ** (ss["streak"] - 1))
        ss["streak_chance"] = chance * guess if correct else 1.0
        if not correct:
            ss["practice_wrong"] = ss.get("practice_wrong", 0) + 1
        allowed = self.streak_chance / (1 + ss.get("practice_wrong", 0))
        threshold = min(0.999, ctx.settings.mastery_threshold + self.practice_margin)
        p = ctx.model.p_mastery(ss["est"])
        if self.practice_robust:
            p = min(p, self._robust_practice(ctx, sid, ss, step.item_id, correct))
        if (
            p >= threshold
            and ss["streak"] >= self._final_streak(ss)
            and ss["streak_chance"] <= allowed
        ):
            ss["status"] = MASTERED
            return
        if cap_reached(ctx, ss):
            flag(state, sid, "practice cap")
            return
        if correct:
            return
        if ss.get("lesson_deferred") and not ss["lesson_seen"]:
            ss["lesson_deferred"] = False
            lesson = ctx.module.skill(sid).lesson
            if lesson and lesson in ctx.index.pages:
                state["queue"].append(
                    {"type": "page", "page_id": lesson, "skill": sid, "reason": "lesson"})
        destination = getattr(evaluation, "destination", None)
        if destination is not None and destination.kind == "page" and destination.target:
            state["queue"].append(
                {
                    "type": "page",
                    "page_id": destination.target,
                    "skill": sid,
                    "reason": "remediation",
                }
            )
        elif destination is not None and destination.kind == "item" and destination.target:
            state["queue"].append(
                {"type": "item", "item_id": destination.target, "skill": sid, "phase": "practice"}
            )
        recent = ss["recent"][-4:]
        if len(recent) >= 4 and recent.count(False) >= 3 and ss["reviews"] < MAX_REVIEWS:
            weak = self._weak_prerequisite(ctx, state, sid)
            if weak is not None:
                ss["reviews"] += 1
                ss["recent"] = []
                state["review"] = {"skill": weak, "for": sid, "left": REVIEW_ITEMS}
                lesson = ctx.module.skill(weak).lesson
                if lesson and lesson in ctx.index.pages:
                    state["queue"].append(
                        {"type": "page", "page_id": lesson, "skill": weak, "reason": "review"}
                    )

    def _robust_practice(
        self, ctx: Context, sid: str, ss: dict[str, Any], item_id: str, correct: bool
    ) -> float:
        """P(known) with learning at ``robust_learn`` times the model's rate, carried through
        practice in ``ss["rob"]`` from the estimate before the first practice answer."""
        params = ctx.model.params_for(sid, item_id)
        # (``practice_start``: where a state from before ``rob`` was set up front keeps it.)
        start = ss.get("rob") or ss.get("practice_start") or ss["est"]
        slow = replace(params, learn=params.learn * self.robust_learn)
        k, u = bkt_update(slow, start["k"], start["u"], correct)
        ss["rob"] = {"k": k, "u": u}
        return k

    def _final_streak(self, ss: dict[str, Any]) -> int:
        """Correct answers in a row needed at the end of practice: fewer for a learner whose
        earlier diagnostics made a high learner-level prior."""
        if (
            self.confident_prior is not None
            and self.confident_streak is not None
            and ss.get("diag_prior", 0.0) >= self.confident_prior
        ):
            return max(MIN_PRACTICE_STREAK, self.confident_streak)
        return max(MIN_PRACTICE_STREAK, self.min_final_streak)

    @staticmethod
    def _weak_prerequisite(ctx: Context, state: dict[str, Any], sid: str) -> str | None:
        """The prerequisite (direct or indirect) with the lowest P(mastery) below threshold."""
        threshold = ctx.settings.mastery_threshold
        seen: set[str] = set()
        stack = list(ctx.module.skill(sid).prerequisites)
        best: tuple[float, int, str] | None = None
        while stack:
            pre = stack.pop()
            if pre in seen or pre not in state["skills"]:
                continue
            seen.add(pre)
            stack.extend(ctx.module.skill(pre).prerequisites)
            p = ctx.model.p_mastery(state["skills"][pre]["est"])
            if p < threshold:
                key = (p, ctx.index.order.index(pre), pre)
                if best is None or key < best:
                    best = key
        return None if best is None else best[2]
