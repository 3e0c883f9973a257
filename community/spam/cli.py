"""Commands: `spam-eval CORPUS.csv` measures the whole pipeline on a labelled corpus in a fresh,
in-memory site; `spam-train FILE.csv` imports history; `spam-prune` bounds the statistics."""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from community.extensions import db
from community.spam import classifier
from community.spam.signals import forget_old_fingerprints
from community.spam.training import SPAM, learn_decided, learn_text

LABELS = ("spam", "ham")


def read_corpus(path: str | Path) -> list[tuple[bool, str]]:
    """(is_spam, text) rows of a CSV whose header is `label,text`."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not {"label", "text"} <= set(reader.fieldnames):
            raise click.UsageError(f"{path}: the first row must be the header label,text")
        rows = []
        for number, row in enumerate(reader, start=2):
            label = (row["label"] or "").strip().lower()
            if label not in LABELS:
                raise click.UsageError(f"{path}, line {number}: the label is “{label}”, not spam or ham")
            if (row["text"] or "").strip():
                rows.append((label == SPAM, row["text"]))
    return rows


def split(rows: list[tuple[bool, str]], fraction: float, seed: int) -> tuple[list, list]:
    """A stratified split: the same fraction of spam and of good comments goes to training."""
    shuffled = rows[:]
    random.Random(seed).shuffle(shuffled)
    train, test = [], []
    for is_spam in (True, False):
        kind = [row for row in shuffled if row[0] == is_spam]
        cut = round(len(kind) * fraction)
        train += kind[:cut]
        test += kind[cut:]
    random.Random(seed + 1).shuffle(test)
    return train, test


@click.command("spam-eval")
@with_appcontext
@click.argument("corpus", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--train", "train_path", type=click.Path(exists=True, dir_okay=False), help="Train on this CSV …")
@click.option("--test", "test_path", type=click.Path(exists=True, dir_okay=False), help="… and test on this one.")
@click.option("--train-fraction", default=0.5, show_default=True, type=click.FloatRange(0.01, 0.99))
@click.option("--seed", default=14, show_default=True, type=int)
def spam_eval_command(corpus, train_path, test_path, train_fraction: float, seed: int) -> None:
    """Train a fresh filter on part of a labelled corpus and judge the rest with the whole pipeline;
    the last line is `precision=P recall=R fpr=F` (spam is the positive class)."""
    from community.spam.evaluation import evaluate

    if corpus and (train_path or test_path):
        raise click.UsageError("Give a CORPUS to split, or --train and --test, not both.")
    if corpus:
        train, test = split(read_corpus(corpus), train_fraction, seed)
    elif train_path and test_path:
        train, test = read_corpus(train_path), read_corpus(test_path)
    else:
        raise click.UsageError("Give a CORPUS.csv, or --train A.csv and --test B.csv.")
    result = evaluate(train, test, secret_key=current_app.secret_key, create_app=current_app.extensions["site_factory"])
    for line in result.report():
        click.echo(line)
    if not result.targets_met:
        sys.exit(1)


@click.command("spam-train")
@with_appcontext
@click.argument("corpus", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--existing", is_flag=True, help="Also learn from the site's own approved and spam comments.")
def spam_train_command(corpus, existing: bool) -> None:
    """Teach the filter from history: a CSV with the header label,text, and/or the site's comments."""
    learned = 0
    if corpus:
        for is_spam, text in read_corpus(corpus):
            learn_text(text, is_spam)
            learned += 1
    if existing:
        learned += sum(learn_decided())
    db.session.commit()
    spam, ham = classifier.totals()
    click.echo(f"Learned from {learned} comments; the filter now knows {spam} spam and {ham} good ones.")


@click.command("spam-prune")
@with_appcontext
def spam_prune_command() -> None:
    """Forget the rarest tokens past SPAM_MAX_TOKENS, and fingerprints past their window."""
    tokens = classifier.prune(current_app.config["SPAM_MAX_TOKENS"])
    fingerprints = forget_old_fingerprints()
    db.session.commit()
    click.echo(f"Forgot {tokens} rare tokens and {fingerprints} old fingerprints; {classifier.token_count()} tokens remain.")
