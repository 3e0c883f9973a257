"""The spam filter that runs on the site: signals recorded with each comment (honeypot, the form's
signed token, duplicates, link domains, chatbot leftovers) and a Bayesian score learned from the
moderators' decisions. Lower modules (features, classifier, form_token, signals, training) use
only the models, services.matching and services.settings; the commands and views on top use the
services."""


def register(app) -> None:
    """The queue's view of a comment's spam record for templates, and the commands."""
    from community.spam.cli import spam_eval_command, spam_prune_command, spam_train_command
    from community.spam.signals import spam_view

    app.add_template_global(spam_view)
    for command in (spam_eval_command, spam_train_command, spam_prune_command):
        app.cli.add_command(command)
