"""the bad deploy's migration: SAFE upgrade, DANGEROUS downgrade (seed 002's example)"""
revision = "b2"
down_revision = "a1"
from alembic import op
import sqlalchemy as sa


def upgrade():
    op.add_column("users", sa.Column("status", sa.String(20), nullable=True))


def downgrade():
    op.drop_column("users", "status")
