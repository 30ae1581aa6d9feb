"""Closed years of an initiative: the portfolio as its analysts froze it for the year's report; and each
enrolment's consent to share the cluster's project register with the initiative's analysts (off).

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('initiative_years',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('closed_by', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['closed_by'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('initiative_id', 'year')
    )
    with op.batch_alter_table('initiative_years', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiative_years_initiative_id'), ['initiative_id'], unique=False)
    with op.batch_alter_table('initiative_clusters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('share_register', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('initiative_clusters', schema=None) as batch_op:
        batch_op.drop_column('share_register')
    op.drop_table('initiative_years')
