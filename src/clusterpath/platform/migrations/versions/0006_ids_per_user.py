"""Cluster and initiative ids are unique among each user's clusters and initiatives, not globally: a global
unique id told anyone creating one which ids others use (issue 14, item 7).

Revision ID: 0006
Revises: 0005
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

TABLES = ('clusters', 'initiatives')


def _slug_constraint(table: str) -> str | None:
    for constraint in sa.inspect(op.get_bind()).get_unique_constraints(table):
        if constraint['column_names'] == ['slug']:
            return constraint['name']
    return None


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for table in TABLES:
        # SQLite reflects the unnamed constraint of 0001/0002 without a name: the convention names it for batch mode.
        name = f'uq_{table}_slug' if sqlite else _slug_constraint(table)
        with op.batch_alter_table(table, naming_convention={'uq': 'uq_%(table_name)s_%(column_0_name)s'}) as batch_op:
            if name is not None:
                batch_op.drop_constraint(name, type_='unique')
            batch_op.create_index(f'ix_{table}_slug', ['slug'], unique=False)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_index(f'ix_{table}_slug')
            batch_op.create_unique_constraint(f'uq_{table}_slug', ['slug'])
