"""a guest's browser key on their comments (avatar, and trust from an earlier approved comment);
display names compared as readers see them (a guest may not take one)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('guest_key', sa.String(length=32), nullable=True))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('display_name_key', sa.String(length=240), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_display_name_key'), ['display_name_key'], unique=False)
    from community.services.matching import comparable

    users = sa.table('users', sa.column('id', sa.Integer), sa.column('display_name', sa.String),
                     sa.column('display_name_key', sa.String))
    connection = op.get_bind()
    for user_id, name in connection.execute(sa.select(users.c.id, users.c.display_name)
                                            .where(users.c.display_name.is_not(None))).all():
        connection.execute(users.update().where(users.c.id == user_id)
                           .values(display_name_key=comparable(name).strip()[:240]))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_display_name_key'))
        batch_op.drop_column('display_name_key')
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_column('guest_key')
