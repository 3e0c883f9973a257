"""imported rows remember their source; old links of imported posts

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('posts', 'comments'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('source', sa.String(length=200), nullable=True))
            batch_op.add_column(sa.Column('source_id', sa.String(length=64), nullable=True))
            batch_op.create_unique_constraint(batch_op.f(f'uq_{table}_source_source_id'), ['source', 'source_id'])
    op.create_table('old_links',
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_old_links_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('path', name=op.f('pk_old_links'))
    )
    with op.batch_alter_table('old_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_old_links_post_id'), ['post_id'], unique=False)


def downgrade():
    with op.batch_alter_table('old_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_old_links_post_id'))
    op.drop_table('old_links')
    for table in ('comments', 'posts'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'uq_{table}_source_source_id'), type_='unique')
            batch_op.drop_column('source_id')
            batch_op.drop_column('source')
