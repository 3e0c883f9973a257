"""What an import did, counted, for the command to print (and the tests to read)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class ImportReport:
    posts_added: int = 0
    posts_already_there: int = 0
    posts_skipped: Counter[str] = field(default_factory=Counter)  # why -> how many
    comments_added: Counter[str] = field(default_factory=Counter)  # status -> how many
    comments_already_there: int = 0
    comments_skipped: Counter[str] = field(default_factory=Counter)  # "pingback", "trackback", ...
    repaired: Counter[str] = field(default_factory=Counter)  # what was mended -> how many
    authors_created: int = 0
    authors_matched: int = 0
    threads_unmatched: int = 0  # Disqus threads no post was found for
    notes: list[str] = field(default_factory=list)  # the first few repairs, with their ids

    NOTES_KEPT = 50

    def note(self, kind: str, detail: str) -> None:
        self.repaired[kind] += 1
        if len(self.notes) < self.NOTES_KEPT:
            self.notes.append(f"{kind}: {detail}")

    @property
    def comments_total(self) -> int:
        return sum(self.comments_added.values())

    def lines(self, dry_run: bool = False) -> list[str]:
        def listed(counter: Counter[str]) -> str:
            return ", ".join(f"{count:,} {name}" for name, count in sorted(counter.items())) or "none"

        out = [
            ("Dry run, nothing was saved. " if dry_run else "") + f"Posts: {self.posts_added:,} added, "
            f"{self.posts_already_there:,} already there; skipped: {listed(self.posts_skipped)}.",
            f"Comments: {self.comments_total:,} added ({listed(self.comments_added)}), "
            f"{self.comments_already_there:,} already there; skipped: {listed(self.comments_skipped)}.",
            f"Authors: {self.authors_created:,} new accounts (they log in after resetting their password), "
            f"{self.authors_matched:,} matched to existing accounts.",
            f"Repaired: {listed(self.repaired)}.",
        ]
        if self.threads_unmatched:
            out.append(f"Threads with no matching post: {self.threads_unmatched:,} (their comments were not imported).")
        out += [f"  {note}" for note in self.notes]
        return out
