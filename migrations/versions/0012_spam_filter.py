"""spam filter: token statistics, fingerprints of recent comments, its settings and its view of each comment

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# The phrases a saved settings row starts with (as config.SPAM_CHATBOT_PHRASES at the time).
CHATBOT_PHRASES = "\n".join([
    "as an ai language model", "as an ai,", "i can tune it however you like", "certainly! here's",
    "certainly! here is", "here's a thoughtful comment", "here is a thoughtful comment",
    "if you want it sharper, softer", "i hope this helps!", "feel free to let me know if",
    "would you like me to", "let me know if you'd like", "here's a revised version", "i'm sorry, but i can't",
])


def upgrade():
    op.create_table('spam_tokens',
        sa.Column('feature', sa.String(length=80), nullable=False),
        sa.Column('spam_count', sa.Integer(), nullable=False),
        sa.Column('ham_count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('feature', name=op.f('pk_spam_tokens'))
    )
    op.create_table('spam_totals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('spam_count', sa.Integer(), nullable=False),
        sa.Column('ham_count', sa.Integer(), nullable=False),
        sa.Column('reset_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_spam_totals'))
    )
    op.create_table('comment_fingerprints',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('comment_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.SmallInteger(), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_comment_fingerprints_comment_id_comments'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_fingerprints'))
    )
    with op.batch_alter_table('comment_fingerprints', schema=None) as batch_op:
        batch_op.create_index('ix_comment_fingerprints_created', ['created_at'], unique=False)
        batch_op.create_index('ix_comment_fingerprints_value', ['value', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_comment_fingerprints_comment_id'), ['comment_id'], unique=False)

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('spam_score', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('spam_signals', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('spam_learned_as', sa.String(length=4), nullable=True))

    with op.batch_alter_table('moderation_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blocked_domains', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('chatbot_phrases', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('spam_threshold', sa.Double(), server_default='0.9', nullable=False))
        batch_op.add_column(sa.Column('spam_hold_threshold', sa.Double(), server_default='0.5', nullable=False))
        batch_op.add_column(sa.Column('spam_min_decisions', sa.Integer(), server_default='50', nullable=False))
        batch_op.add_column(sa.Column('min_fill_seconds', sa.Integer(), server_default='3', nullable=False))
    settings = sa.table('moderation_settings', sa.column('chatbot_phrases', sa.Text()))
    op.execute(settings.update().values(chatbot_phrases=CHATBOT_PHRASES))


def downgrade():
    with op.batch_alter_table('moderation_settings', schema=None) as batch_op:
        for name in ('min_fill_seconds', 'spam_min_decisions', 'spam_hold_threshold', 'spam_threshold',
                     'chatbot_phrases', 'blocked_domains'):
            batch_op.drop_column(name)
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_column('spam_learned_as')
        batch_op.drop_column('spam_signals')
        batch_op.drop_column('spam_score')
    op.drop_table('comment_fingerprints')
    op.drop_table('spam_totals')
    op.drop_table('spam_tokens')
