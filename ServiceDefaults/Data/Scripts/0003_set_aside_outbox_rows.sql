-- An outbox row that cannot be published (an unknown type, a payload that no longer reads) is retried later, not at
-- once, so the rows behind it keep flowing; after Outbox:MaxAttempts it is set aside for ops to fix and re-queue.
alter table outbox_messages
    add column next_attempt_at timestamptz,
    add column set_aside_at    timestamptz;

drop index outbox_messages_unsent;
create index outbox_messages_due on outbox_messages (created_at) where sent_at is null and set_aside_at is null;
create index outbox_messages_set_aside on outbox_messages (set_aside_at) where set_aside_at is not null;
