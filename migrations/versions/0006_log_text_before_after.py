"""moderation log keeps the text before and after

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    # Earlier entries keep only their 200-character excerpt; nothing can bring back what they replaced.
    with op.batch_alter_table('moderation_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text_before', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('text_after', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('moderation_log', schema=None) as batch_op:
        batch_op.drop_column('text_after')
        batch_op.drop_column('text_before')
