"""The first release's schema, exactly as the hand-written `create_all` made it (databases made before
Alembic are stamped with this revision instead of running it).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None


def upgrade() -> None:
    op.create_table('audit',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('event', sa.String(length=32), nullable=False),
    sa.Column('case_code', sa.String(length=16), nullable=True),
    sa.Column('counsellor', sa.String(length=64), nullable=True),
    sa.Column('day', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_audit_day'), 'audit', ['day'], unique=False)
    op.create_table('blocks',
    sa.Column('person', sa.String(length=64), nullable=False),
    sa.Column('blocked_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('person')
    )
    op.create_table('cases',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('person', sa.String(length=64), nullable=False),
    sa.Column('address', sa.LargeBinary(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('topic', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('counsellor', sa.String(length=64), nullable=True),
    sa.Column('last_counsellor', sa.String(length=64), nullable=True),
    sa.Column('queue_seq', sa.Integer(), nullable=False),
    sa.Column('queued_at', sa.DateTime(), nullable=True),
    sa.Column('told_position', sa.Integer(), nullable=True),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('rating', sa.String(length=8), nullable=True),
    sa.Column('document_warned', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_index(op.f('ix_cases_counsellor'), 'cases', ['counsellor'], unique=False)
    op.create_index(op.f('ix_cases_person'), 'cases', ['person'], unique=False)
    op.create_index(op.f('ix_cases_queue_seq'), 'cases', ['queue_seq'], unique=False)
    op.create_index(op.f('ix_cases_status'), 'cases', ['status'], unique=False)
    op.create_table('chat_messages',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('person', sa.String(length=64), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_chat_messages_at'), 'chat_messages', ['at'], unique=False)
    op.create_index(op.f('ix_chat_messages_person'), 'chat_messages', ['person'], unique=False)
    op.create_table('counsellors',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('on_duty', sa.Boolean(), nullable=False),
    sa.Column('focus_case_id', sa.Integer(), nullable=True),
    sa.Column('notified_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('daily_counters',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'name', 'key')
    )
    op.create_table('key_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('chat', sa.String(length=64), nullable=False),
    sa.Column('address', sa.LargeBinary(), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('not_before', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    op.create_index(op.f('ix_outbox_chat'), 'outbox', ['chat'], unique=False)
    op.create_table('people',
    sa.Column('pseudonym', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('node', sa.String(length=32), nullable=True),
    sa.Column('seen_on', sa.Date(), nullable=False),
    sa.Column('address', sa.LargeBinary(), nullable=True),
    sa.PrimaryKeyConstraint('pseudonym')
    )
    op.create_table('processed_updates',
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('update_id')
    )
    op.create_index(op.f('ix_processed_updates_day'), 'processed_updates', ['day'], unique=False)
    op.create_table('revoked_counsellors',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('revoked_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('schema_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('case_keys',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('wrapped', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id')
    )
    op.create_table('notes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.LargeBinary(), nullable=True),
    sa.Column('written_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_notes_case_id'), 'notes', ['case_id'], unique=False)
    op.create_table('relays',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('from_person', sa.Boolean(), nullable=False),
    sa.Column('person_message_id', sa.Integer(), nullable=True),
    sa.Column('counsellor', sa.String(length=64), nullable=True),
    sa.Column('counsellor_message_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_relays_case_id'), 'relays', ['case_id'], unique=False)
