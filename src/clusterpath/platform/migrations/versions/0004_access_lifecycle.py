"""Access that can be taken back: API tokens remember the session that made them (logout revokes both),
member companies can be removed (their rows stay for the versions earlier results used), and analysts
join an initiative, and clusters enrol in it, by a code from its owner.

Revision ID: 0004
Revises: 0003
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_api_tokens_parent_id'), ['parent_id'], unique=False)
        batch_op.create_foreign_key('fk_api_tokens_parent_id', 'api_tokens', ['parent_id'], ['id'],
                                    ondelete='SET NULL')
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removed_at', sa.DateTime(), nullable=True))
    op.create_table('initiative_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.Column('accepted_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['accepted_by'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code_hash')
    )
    with op.batch_alter_table('initiative_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_initiative_invitations_initiative_id'), ['initiative_id'], unique=False)


def downgrade() -> None:
    op.drop_table('initiative_invitations')
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_column('removed_at')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint('fk_api_tokens_parent_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_api_tokens_parent_id'))
        batch_op.drop_column('parent_id')
