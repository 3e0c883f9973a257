"""The signals a new comment is judged by, each recorded with it so the queue can say why:
honeypot, form token, duplicates, link domains, chatbot leftovers and the learned score."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa

from community.extensions import db
from community.models import Comment, CommentFingerprint, CommentStatus, ModerationSettings
from community.models.base import utcnow
from community.services.settings import lines
from community.spam import classifier
from community.spam.features import (
    domain_matches, exact_fingerprint, link_domains, near_fingerprints, nonce_fingerprint, normalise, tokens,
)
from community.spam.form_token import MAX_AGE_SECONDS, FormEvidence

EXACT_WINDOW = timedelta(hours=24)
NEAR_WINDOW = timedelta(days=7)
KEPT_FOR = max(NEAR_WINDOW, timedelta(seconds=MAX_AGE_SECONDS))
DUPLICATE_MIN_WORDS = 5  # a shorter repeat ("Thank you!") says nothing: many people write it
NONCE_KIND, EXACT_KIND = -1, 0
LINK_SHORTENERS = (
    "bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly", "cutt.ly", "rb.gy", "shorturl.at",
    "tiny.cc", "rebrand.ly", "t.ly", "bl.ink", "s.id", "lnkd.in", "v.gd", "qrco.de", "shorte.st", "adf.ly",
)


@dataclass
class Assessment:
    """What the signals found: the status they call for (None: nothing against the comment), the
    first rule that called for it, and everything noticed on the way."""

    status: CommentStatus | None = None
    rule: str | None = None
    score: float | None = None
    notes: list[str] = field(default_factory=list)
    clues: list[tuple[str, float]] = field(default_factory=list)
    fingerprints: list[tuple[int, int]] = field(default_factory=list)  # (kind, value) to remember

    def found(self, status: CommentStatus, rule: str, note: str) -> None:
        self.notes.append(f"{rule}: {note}")
        if self.status != CommentStatus.SPAM and (self.status is None or status == CommentStatus.SPAM):
            self.status, self.rule = status, rule

    def as_json(self) -> str:
        return json.dumps({"notes": self.notes, "clues": [[token, round(p, 3)] for token, p in self.clues]})


_RECENT_FINGERPRINTS = (
    sa.select(CommentFingerprint.kind, CommentFingerprint.comment_id, CommentFingerprint.created_at)
    .where(CommentFingerprint.value.in_(sa.bindparam("values", expanding=True)),
           CommentFingerprint.created_at > sa.bindparam("since"))
    .order_by(CommentFingerprint.created_at.desc()).limit(20)
)


def assess(body: str, website: str | None, evidence: FormEvidence, settings: ModerationSettings,
           edited: int | None = None) -> Assessment:
    """Every signal for one new comment (two or three small queries). For the new words of comment
    `edited`, the same but the form's (the first posting's), and never a duplicate of itself."""
    result = Assessment()
    _form_signals(result, evidence, settings)
    text = normalise(body)
    _duplicates(result, text, evidence, edited)
    _links(result, body, website, settings)
    phrase = chatbot_phrase(text, settings.chatbot_phrases)
    if phrase:
        result.found(CommentStatus.PENDING, "chatbot-phrase", f"“{phrase}” (held: a person may have pasted it honestly)")
    _learned_score(result, body, website, settings)
    return result


def _form_signals(result: Assessment, evidence: FormEvidence, settings: ModerationSettings) -> None:
    if not evidence.checked:
        return
    if evidence.honeypot_filled:
        result.found(CommentStatus.SPAM, "honeypot", "the hidden field no person sees was filled")
    if evidence.problem:
        result.found(CommentStatus.PENDING, "form-token", evidence.problem)
    elif evidence.seconds is not None and evidence.seconds < settings.min_fill_seconds:
        result.found(CommentStatus.PENDING, "too-fast", f"sent {evidence.seconds:.0f} s after the form was drawn")


def _duplicates(result: Assessment, text: str, evidence: FormEvidence, own: int | None = None) -> None:
    """Exact and near duplicates of recent comments, and a reused form, in one query."""
    wanted: list[tuple[int, int]] = []
    if text:
        wanted.append((EXACT_KIND, exact_fingerprint(text)))
        wanted += [(band + 1, value) for band, value in enumerate(near_fingerprints(text))]
    if evidence.nonce:
        wanted.append((NONCE_KIND, nonce_fingerprint(evidence.nonce)))
    result.fingerprints = wanted
    if not wanted:
        return
    now = utcnow()
    rows = db.session.connection().execute(_RECENT_FINGERPRINTS, {
        "values": [value for _, value in wanted], "since": now - KEPT_FOR}).all()
    kinds = {kind for kind, _ in wanted}
    noted: set[str] = set()
    for kind, comment_id, created_at in rows:
        if kind not in kinds or comment_id == own:
            continue  # a 64-bit collision across kinds (practically never), or the text before an edit
        if kind == NONCE_KIND:
            rule, status, note = "form-reused", CommentStatus.PENDING, f"the form was already used for comment #{comment_id}"
        elif kind == EXACT_KIND and created_at > now - EXACT_WINDOW and len(text.split()) >= DUPLICATE_MIN_WORDS:
            rule, status, note = "duplicate", CommentStatus.SPAM, f"the same text as comment #{comment_id} within 24 hours"
        elif kind > EXACT_KIND:
            rule, status, note = "near-duplicate", CommentStatus.PENDING, f"much like comment #{comment_id}"
        else:
            continue
        if rule not in noted:
            noted.add(rule)
            result.found(status, rule, note)


def _links(result: Assessment, body: str, website: str | None, settings: ModerationSettings) -> None:
    blocked = lines(settings.blocked_domains)
    for host in link_domains(body, website):
        entry = domain_matches(host, blocked)
        if entry:
            result.found(CommentStatus.SPAM, "blocked-domain", f"links to {host} (blocked: {entry})")
        elif domain_matches(host, list(LINK_SHORTENERS)):
            result.found(CommentStatus.PENDING, "link-shortener", f"links through {host}, which hides where it leads")


def chatbot_phrase(text: str, phrases: str | None) -> str | None:
    """The first listed phrase in the normalised text, as whole words, punctuation ignored."""
    padded = f" {text} "
    for phrase in lines(phrases):
        if (wanted := normalise(phrase)) and f" {wanted} " in padded:
            return phrase
    return None


def _learned_score(result: Assessment, body: str, website: str | None, settings: ModerationSettings) -> None:
    score = classifier.score(tokens(body, website))
    result.score, result.clues = score.probability, score.clues
    words = ", ".join(token for token, _ in score.clues[:5]) or "no known words"
    trained = min(score.learned_spam, score.learned_ham) >= settings.spam_min_decisions
    if score.probability >= settings.spam_threshold:
        if trained:
            result.found(CommentStatus.SPAM, "learned-score", f"{score.probability:.2f} ({words})")
        else:
            result.found(CommentStatus.PENDING, "learned-score",
                         f"{score.probability:.2f} ({words}); held only, the filter has learned too few decisions")
    elif trained and score.probability >= settings.spam_hold_threshold:
        result.found(CommentStatus.PENDING, "learned-score", f"{score.probability:.2f} ({words})")


def remember(comment: Comment, result: Assessment) -> None:
    """Store the comment's fingerprints and the filter's view of it, once it has an id."""
    comment.spam_score = result.score
    comment.spam_signals = result.as_json()
    if result.fingerprints:
        now = utcnow()
        db.session.execute(sa.insert(CommentFingerprint), [
            {"comment_id": comment.id, "kind": kind, "value": value, "created_at": now} for kind, value in result.fingerprints
        ])


@dataclass(frozen=True)
class SpamView:
    """A comment's stored spam record, read back for the queue."""

    score: float | None
    notes: list[str]
    clues: list[tuple[str, float]]


def spam_view(comment: Comment) -> SpamView | None:
    if comment.spam_signals is None and comment.spam_score is None:
        return None
    try:
        stored = json.loads(comment.spam_signals or "{}")
    except ValueError:
        stored = {}
    return SpamView(comment.spam_score, list(stored.get("notes", [])), [tuple(clue) for clue in stored.get("clues", [])])


def forget_old_fingerprints() -> int:
    """Fingerprints past the longest window say nothing any more."""
    return db.session.execute(sa.delete(CommentFingerprint).where(CommentFingerprint.created_at < utcnow() - KEPT_FOR)).rowcount or 0
