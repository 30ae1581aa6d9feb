"""Disclosure control: each cluster's p of the p% rule (10), and the releases of aggregates per audience.

Revision ID: 0005
Revises: 0004
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('clusters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('p_percent', sa.Float(), server_default=sa.text('10'), nullable=False))
    op.create_table('disclosure_releases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cluster_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('input_key', sa.String(length=64), nullable=False),
    sa.Column('k', sa.Integer(), nullable=False),
    sa.Column('p', sa.Float(), nullable=False),
    sa.Column('members', sa.JSON(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('cells', sa.JSON(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('released', sa.JSON(), nullable=False),
    sa.Column('withheld', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cluster_id'], ['clusters.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cluster_id', 'audience', 'number')
    )
    with op.batch_alter_table('disclosure_releases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclosure_releases_cluster_id'), ['cluster_id'], unique=False)


def downgrade() -> None:
    op.drop_table('disclosure_releases')
    with op.batch_alter_table('clusters', schema=None) as batch_op:
        batch_op.drop_column('p_percent')
