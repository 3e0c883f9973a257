"""The moderation pages. Every route needs a moderator; settings and roles need an admin."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from community.auth.views import safe_next
from community.extensions import db
from community.forms import show_domain_error
from community.models import Comment, CommentStatus, LogEntry, Report, Role, User
from community.models.base import utcnow
from community.moderation.forms import SUSPENSION_LENGTHS, ModeratorEditForm, RoleForm, SettingsForm, SuspendForm
from community.routing import page_number, parse_id
from community.services import DomainError, NotAllowed
from community.services import moderation as rules_of_moderation
from community.services.moderation import (
    COMMENT_ACTIONS, PAST_TENSE, Action, can_administer, can_moderate, may_act_on_account,
)
from community.services.settings import SETTING_LABELS, current_settings
from community.spam.admin import filter_state, reset_filter

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

# The status of the comments each tab lists, which decides the bulk actions it offers; the
# reported tab lists comments readers can see, so approved ones.
TAB_STATUS = {"pending": CommentStatus.PENDING, "reported": CommentStatus.APPROVED, "spam": CommentStatus.SPAM,
              "trash": CommentStatus.TRASH}
BULK_LABELS = {Action.APPROVE: "Approve", Action.UNAPPROVE: "Unapprove", Action.SPAM: "Mark as spam",
               Action.TRASH: "Move to trash", Action.RESTORE: "Restore"}
TABS = {
    "pending": ("Pending", Comment.status == CommentStatus.PENDING),
    "reported": ("Reported", Comment.open_report_count > 0),
    "spam": ("Spam", Comment.status == CommentStatus.SPAM),
    "trash": ("Trash", Comment.status == CommentStatus.TRASH),
}
PER_PAGE = 50


@bp.before_request
@login_required
def require_moderator():
    if not can_moderate(current_user):
        abort(403)


def require_admin() -> None:
    if not can_administer(current_user):
        abort(403)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


# --- the queue ---------------------------------------------------------------------------------------

def tab_counts() -> dict[str, int]:
    by_status = dict(db.session.execute(sa.select(Comment.status, sa.func.count()).group_by(Comment.status)).all())
    reported = db.session.scalar(sa.select(sa.func.count()).where(Comment.open_report_count > 0))
    return {"pending": by_status.get("pending", 0), "reported": reported,
            "spam": by_status.get("spam", 0), "trash": by_status.get("trash", 0)}


@bp.route("/")
def queue():
    tab = request.args.get("tab", "pending")
    if tab not in TABS:
        abort(404)
    page = db.paginate(
        sa.select(Comment).options(joinedload(Comment.post)).where(TABS[tab][1]).order_by(Comment.created_at.desc(), Comment.id.desc()),
        page=page_number(PER_PAGE), per_page=PER_PAGE, max_per_page=PER_PAGE,
    )
    ids = [comment.id for comment in page.items]
    reports: dict[int, list[Report]] = {}
    if ids:
        for report in db.session.scalars(
            sa.select(Report).where(Report.comment_id.in_(ids), Report.resolved_at.is_(None)).order_by(Report.created_at)
        ):
            reports.setdefault(report.comment_id, []).append(report)
    bulk_actions = [(action, BULK_LABELS[action]) for action in rules_of_moderation.actions_from(TAB_STATUS[tab])
                    if action in BULK_LABELS]
    return render_template("moderation/queue.html", tab=tab, tabs=TABS, counts=tab_counts(), page=page, reports=reports,
                           bulk_actions=bulk_actions)


@bp.route("/comments", methods=["POST"])
def act():
    """One action on the selected comments (one or many): approve, unapprove, spam, trash, restore, delete."""
    back = safe_next(request.form.get("next")) or url_for("moderation.queue")
    try:
        action = Action(request.form.get("action", ""))
    except ValueError:
        action = None
    if action not in COMMENT_ACTIONS:
        flash("Choose what to do with the selected comments.", "error")
        return redirect(back)
    values = request.form.getlist("comment_ids")
    ids = [parse_id(value) for value in values]
    if None in ids:  # no form of ours sends this: a tampered or garbled request
        abort(400, "The selection names something that is not a comment; reload the queue and try again.")
    if not ids:
        flash("Select at least one comment first.", "error")
        return redirect(back)
    try:
        result = rules_of_moderation.moderate_comments(current_user, ids, action, request.form.get("reason", ""))
    except NotAllowed as error:
        abort(403, error.message)
    db.session.commit()
    message = f"{_plural(result.done, 'comment')} {PAST_TENSE[action]}."
    if result.skipped:
        message += f" {_plural(result.skipped, 'comment')} skipped: already there, or not a status this action applies to."
    flash(message, "success" if result.done else "info")
    return redirect(back)


def _get_comment(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        abort(404)
    return comment


@bp.route("/comments/<int:comment_id>/dismiss-reports", methods=["POST"])
def dismiss_reports(comment_id: int):
    comment = _get_comment(comment_id)
    try:
        rules_of_moderation.dismiss_reports(current_user, comment, request.form.get("reason", ""))
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash("Reports dismissed; the comment is public again." if comment.is_visible else "Reports dismissed.", "success")
    return redirect(safe_next(request.form.get("next")) or url_for("moderation.queue", tab="reported"))


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
def edit_comment(comment_id: int):
    comment = _get_comment(comment_id)
    if comment.is_deleted:
        flash(rules_of_moderation.DELETED_NOT_EDITABLE, "error")
        return redirect(url_for("moderation.queue"))
    form = ModeratorEditForm()
    if request.method == "GET":
        form.body.data = comment.body_markdown
    if form.validate_on_submit():
        rules_of_moderation.edit_as_moderator(current_user, comment, form.body.data, form.reason.data or "")
        db.session.commit()
        flash("Comment edited; it is marked “edited by a moderator”.", "success")
        return redirect(url_for("moderation.queue", tab=comment.status if comment.status in TABS else "pending")
                        if not comment.is_visible else url_for("comments.permalink", comment_id=comment.id))
    return render_template("moderation/edit_comment.html", form=form, comment=comment), 422 if form.errors else 200


# --- accounts --------------------------------------------------------------------------------------

@bp.route("/accounts")
def accounts():
    query = request.args.get("q", "").strip()
    select = sa.select(User).order_by(User.username_key)
    if query:
        pattern = f"%{query.lower()}%"
        select = select.where(sa.or_(User.username_key.like(pattern), User.email_key.like(pattern)))
    if request.args.get("suspended"):
        select = select.where(User.suspended_until > utcnow())
    page = db.paginate(select, page=page_number(PER_PAGE), per_page=PER_PAGE, max_per_page=PER_PAGE)
    return render_template("moderation/accounts.html", page=page, query=query)


def _get_account(account_id: int) -> User:
    account = db.session.get(User, account_id)
    if account is None:
        abort(404)
    return account


@bp.route("/accounts/<int:account_id>")
def account_detail(account_id: int):
    return _render_account(_get_account(account_id))


def _render_account(account: User, suspend_form: SuspendForm | None = None, role_form: RoleForm | None = None, status: int = 200):
    """The account page; shown again with a form's errors after a refused suspension or role change."""
    comments = db.session.scalars(
        sa.select(Comment).options(joinedload(Comment.post)).where(Comment.author_id == account.id)
        .order_by(Comment.created_at.desc()).limit(20)
    ).all()
    history = db.session.scalars(
        sa.select(LogEntry).where(LogEntry.account_id == account.id).order_by(LogEntry.id.desc()).limit(20)
    ).all()
    role_form = role_form or RoleForm(role=account.role)
    return render_template(
        "moderation/account.html", account=account, comments=comments, history=history,
        suspend_form=suspend_form or SuspendForm(), role_form=role_form,
        may_act=may_act_on_account(current_user, account), may_change_role=can_administer(current_user) and account.id != current_user.id,
    ), status


@bp.route("/accounts/<int:account_id>/suspend", methods=["POST"])
def suspend(account_id: int):
    account = _get_account(account_id)
    form = SuspendForm()
    if form.validate_on_submit():
        until = None if form.days.data == "forever" else utcnow() + timedelta(days=int(form.days.data))
        try:
            rules_of_moderation.suspend(current_user, account, until, form.reason.data or "")
        except DomainError as error:
            show_domain_error(form, error, "reason")
        else:
            db.session.commit()
            flash(f"{account.username} is suspended {'until further notice' if until is None else 'for ' + SUSPENSION_LENGTHS[form.days.data]}.", "success")
            return redirect(url_for("moderation.account_detail", account_id=account.id))
    return _render_account(account, suspend_form=form, status=422)


@bp.route("/accounts/<int:account_id>/unsuspend", methods=["POST"])
def unsuspend(account_id: int):
    account = _get_account(account_id)
    try:
        rules_of_moderation.lift_suspension(current_user, account, request.form.get("reason", ""))
    except NotAllowed as error:
        abort(403, error.message)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(f"{account.username}'s suspension is lifted.", "success")
    return redirect(url_for("moderation.account_detail", account_id=account.id))


@bp.route("/accounts/<int:account_id>/role", methods=["POST"])
def change_role(account_id: int):
    require_admin()
    account = _get_account(account_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            rules_of_moderation.change_role(current_user, account, Role(form.role.data))
        except DomainError as error:
            show_domain_error(form, error, "role")
        else:
            db.session.commit()
            flash(f"{account.username} is now {account.role}.", "success")
            return redirect(url_for("moderation.account_detail", account_id=account.id))
    return _render_account(account, role_form=form, status=422)


# --- the rules -------------------------------------------------------------------------------------

@bp.route("/settings/spam-filter/reset", methods=["POST"])
def reset_spam_filter():
    """Forget what the spam filter learned (the settings page's button; logged)."""
    require_admin()
    forgotten = reset_filter(current_user)
    db.session.commit()
    flash(f"The spam filter forgot {forgotten}; it holds, and never sends to spam, until it has learned again.", "success")
    return redirect(url_for("moderation.settings", _anchor="spam-filter"))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    require_admin()
    form = SettingsForm(obj=current_settings() if request.method == "GET" else None)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in SETTING_LABELS}
        for name in ("spam_threshold", "spam_hold_threshold", "spam_min_decisions", "min_fill_seconds",
                     "blocked_domains", "chatbot_phrases"):
            if name not in request.form:  # the spam filter's settings, left out of a form: kept as they are
                values.pop(name, None)
        for name in ("moderation_words", "disallowed_words", "blocked_emails", "blocked_addresses", "blocked_domains", "chatbot_phrases"):
            if name in values:
                values[name] = "\n".join(line.strip() for line in (values[name] or "").splitlines() if line.strip())
        try:
            changed = rules_of_moderation.save_settings(current_user, values)
        except DomainError as error:
            show_domain_error(form, error, "moderation_words")
        else:
            db.session.commit()
            flash("Settings saved: " + ", ".join(SETTING_LABELS[name] for name in changed) + "." if changed else "Nothing changed.", "success")
            return redirect(url_for("moderation.settings"))
    return render_template("moderation/settings.html", form=form, spam_filter=filter_state()), 422 if form.errors else 200


# --- the log -------------------------------------------------------------------------------------------

@bp.route("/log")
def log():
    select = sa.select(LogEntry).order_by(LogEntry.id.desc())
    moderator_name = request.args.get("moderator", "").strip()
    action = request.args.get("action", "").strip()
    account_name = request.args.get("account", "").strip()
    if moderator_name == "system":
        select = select.where(LogEntry.moderator_id.is_(None))
    elif moderator_name:
        select = select.where(LogEntry.moderator_id == sa.select(User.id).where(User.username_key == moderator_name.lower()).scalar_subquery())
    if action:
        select = select.where(LogEntry.action == action)
    if account_name:
        select = select.where(LogEntry.account_id == sa.select(User.id).where(User.username_key == account_name.lower()).scalar_subquery())
    page = db.paginate(select, page=page_number(PER_PAGE), per_page=PER_PAGE, max_per_page=PER_PAGE)
    entry_ids = [entry.id for entry in page.items]
    undone = set(db.session.scalars(sa.select(LogEntry.undoes_id).where(LogEntry.undoes_id.in_(entry_ids)))) if entry_ids else set()
    moderators = db.session.scalars(sa.select(User).where(User.role.in_([Role.MODERATOR, Role.ADMIN])).order_by(User.username_key)).all()
    return render_template(
        "moderation/log.html", page=page, undone=undone, moderators=moderators, actions=list(Action),
        filters={"moderator": moderator_name, "action": action, "account": account_name},
        is_undoable=rules_of_moderation.is_undoable,
    )


@bp.route("/log/<int:entry_id>/undo", methods=["POST"])
def undo(entry_id: int):
    entry = db.session.get(LogEntry, entry_id)
    if entry is None:
        abort(404)
    try:
        rules_of_moderation.undo(current_user, entry)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(f"Undone: comment #{entry.comment_id} is {entry.status_before} again.", "success")
    return redirect(url_for("moderation.log"))
