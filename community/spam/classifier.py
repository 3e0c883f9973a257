"""The learned score: token statistics in the database combined as SpamBayes does (Robinson's
per-token probability, Fisher's chi-square combining), learned and unlearned one comment at a time."""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import islice

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from community.extensions import db
from community.models import Comment, SpamToken, SpamTotals
from community.models.base import utcnow

# SpamBayes' defaults: how strongly an unknown token pulls towards 0.5, which tokens count as clues.
UNKNOWN_STRENGTH = 0.45
UNKNOWN_PROBABILITY = 0.5
MIN_CLUE_STRENGTH = 0.1
MAX_CLUES = 150
SHOWN_CLUES = 8
TOTALS_ID = 1
PRUNE_EVERY = 200  # decisions between checks of the table's size (one COUNT)
_BATCH = 500
_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@dataclass(frozen=True)
class Score:
    probability: float  # 0: surely good, 1: surely spam, 0.5: cannot tell
    clues: list[tuple[str, float]]  # the strongest tokens and their probabilities, strongest first
    learned_spam: int
    learned_ham: int


def token_probability(spam: int, ham: int, spam_total: int, ham_total: int) -> float:
    """Robinson's f(w): the token's spam ratio, pulled towards 0.5 while it is rarely seen."""
    spam_ratio = spam / spam_total if spam_total else 0.0
    ham_ratio = ham / ham_total if ham_total else 0.0
    raw = spam_ratio / (spam_ratio + ham_ratio) if spam_ratio + ham_ratio else UNKNOWN_PROBABILITY
    seen = spam + ham
    return (UNKNOWN_STRENGTH * UNKNOWN_PROBABILITY + seen * raw) / (UNKNOWN_STRENGTH + seen)


def _chi2q(chi2: float, freedom: int) -> float:
    """P(X >= chi2) for chi-square with an even number of degrees of freedom."""
    half = chi2 / 2.0
    term = total = math.exp(-half)
    for i in range(1, freedom // 2):
        term *= half / i
        total += term
    return min(total, 1.0)


def combine(probabilities: list[float]) -> float:
    """Fisher's method both ways (SpamBayes' chi-square combining): near 1 or 0 only when the
    evidence agrees, near 0.5 when it is thin or mixed."""
    if not probabilities:
        return 0.5
    n = len(probabilities)
    spam_evidence = -2.0 * sum(math.log(max(1.0 - p, 1e-200)) for p in probabilities)
    ham_evidence = -2.0 * sum(math.log(max(p, 1e-200)) for p in probabilities)
    spamminess = 1.0 - _chi2q(spam_evidence, 2 * n)
    hamminess = 1.0 - _chi2q(ham_evidence, 2 * n)
    return (spamminess - hamminess + 1.0) / 2.0


def score_from_counts(features: set[str], counts: dict[str, tuple[int, int]], spam_total: int, ham_total: int) -> Score:
    clues = []
    for token in features:
        spam, ham = counts.get(token, (0, 0))
        probability = token_probability(spam, ham, spam_total, ham_total)
        if abs(probability - 0.5) >= MIN_CLUE_STRENGTH:
            clues.append((token, probability))
    clues.sort(key=lambda clue: (-abs(clue[1] - 0.5), clue[0]))
    clues = clues[:MAX_CLUES]
    return Score(combine([p for _, p in clues]), clues[:SHOWN_CLUES], spam_total, ham_total)


# --- the statistics in the database -----------------------------------------------------------------

def totals() -> tuple[int, int]:
    """How many spam and good comments the filter has learned from."""
    row = db.session.execute(sa.select(SpamTotals.spam_count, SpamTotals.ham_count).where(SpamTotals.id == TOTALS_ID)).first()
    return (row[0], row[1]) if row else (0, 0)


def _batches(items: list[str]):
    iterator = iter(items)
    while batch := list(islice(iterator, _BATCH)):
        yield batch


# Built once: the statement and its cache key are not made again for every comment.
_COUNTS = sa.select(SpamToken.feature, SpamToken.spam_count, SpamToken.ham_count).where(
    SpamToken.feature.in_(sa.bindparam("tokens", expanding=True)))


def token_counts(features: set[str]) -> dict[str, tuple[int, int]]:
    counts = {}
    connection = db.session.connection()
    for batch in _batches(sorted(features)):
        for token, spam, ham in connection.execute(_COUNTS, {"tokens": batch}):
            counts[token] = (spam, ham)
    return counts


def score(features: set[str]) -> Score:
    """The score of a comment's features against what the filter has learned (two queries)."""
    spam_total, ham_total = totals()
    return score_from_counts(features, token_counts(features), spam_total, ham_total)


def learn(features: set[str], is_spam: bool, delta: int = 1) -> None:
    """Count one comment's features as spam or good (delta -1 unlearns it), in SQL, in this
    transaction; tokens are written in sorted order so concurrent learners never deadlock."""
    column = "spam_count" if is_spam else "ham_count"
    insert = _INSERT[db.engine.dialect.name]
    _move_totals(column, delta)
    if delta > 0:
        # One cached statement, run for many rows (executemany): compiled once per process.
        statement = insert(SpamToken).on_conflict_do_update(
            index_elements=["feature"], set_={column: getattr(SpamToken, column) + 1})
        db.session.connection().execute(statement, [
            {"feature": token, "spam_count": int(is_spam), "ham_count": int(not is_spam)} for token in sorted(features)])
    else:
        current = getattr(SpamToken, column)
        for batch in _batches(sorted(features)):
            db.session.execute(sa.update(SpamToken).where(SpamToken.feature.in_(batch))
                               .values({column: sa.case((current > 0, current - 1), else_=0)}))
            db.session.execute(sa.delete(SpamToken).where(
                SpamToken.feature.in_(batch), SpamToken.spam_count == 0, SpamToken.ham_count == 0))
    if delta > 0:
        spam_total, ham_total = totals()
        if (spam_total + ham_total) % PRUNE_EVERY == 0:
            prune(current_app.config["SPAM_MAX_TOKENS"])


def learn_many(examples: list[tuple[set[str], bool]]) -> None:
    """Count many comments at once (imported history): each token's counts summed here and moved
    by one upsert each, the totals once; the same statistics as learn() called for each."""
    if not examples:
        return
    counts: dict[str, list[int]] = {}
    for features, is_spam in examples:
        for token in features:
            counts.setdefault(token, [0, 0])[0 if is_spam else 1] += 1
    spam = sum(1 for _features, is_spam in examples if is_spam)
    for column, delta in (("spam_count", spam), ("ham_count", len(examples) - spam)):
        if delta:
            _move_totals(column, delta)
    statement = _INSERT[db.engine.dialect.name](SpamToken)
    statement = statement.on_conflict_do_update(index_elements=["feature"], set_={
        "spam_count": SpamToken.spam_count + statement.excluded.spam_count,
        "ham_count": SpamToken.ham_count + statement.excluded.ham_count})
    db.session.connection().execute(statement, [
        {"feature": token, "spam_count": spam_count, "ham_count": ham_count}
        for token, (spam_count, ham_count) in sorted(counts.items())])


def _move_totals(column: str, delta: int) -> None:
    insert = _INSERT[db.engine.dialect.name]
    db.session.execute(insert(SpamTotals).values(id=TOTALS_ID, spam_count=0, ham_count=0).on_conflict_do_nothing())
    current = getattr(SpamTotals, column)
    db.session.execute(sa.update(SpamTotals).where(SpamTotals.id == TOTALS_ID)
                       .values({column: sa.case((current + delta < 0, 0), else_=current + delta)}))


def token_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(SpamToken))


def prune(max_tokens: int) -> int:
    """Keep the statistics bounded: past `max_tokens`, forget the rarest tokens (seen once, then
    twice, ...) until at most 90 % of it remain. Rare tokens carry the least evidence; SpamBayes'
    unknown-token handling treats a forgotten one as it treated it when new. Returns how many went."""
    removed = 0
    seen = 1
    while (count := token_count()) > max_tokens:
        goal = count - int(max_tokens * 0.9)
        rare = sa.select(SpamToken.feature).where(SpamToken.spam_count + SpamToken.ham_count <= seen).limit(goal)
        gone = db.session.execute(sa.delete(SpamToken).where(SpamToken.feature.in_(rare.scalar_subquery()))).rowcount
        removed += gone or 0
        seen += 1
    return removed


def reset() -> None:
    """Forget everything learned; the comments' own record of what they taught goes too."""
    db.session.execute(sa.delete(SpamToken))
    db.session.execute(sa.update(Comment).where(Comment.spam_learned_as.is_not(None)).values(spam_learned_as=None))
    insert = _INSERT[db.engine.dialect.name]
    db.session.execute(insert(SpamTotals).values(id=TOTALS_ID, spam_count=0, ham_count=0).on_conflict_do_nothing())
    db.session.execute(sa.update(SpamTotals).where(SpamTotals.id == TOTALS_ID).values(spam_count=0, ham_count=0, reset_at=utcnow()))
