-- Shared by every service: the transactional outbox (events written with the change that caused them)
-- and the inbox (messages already handled, so a redelivery has no second effect).
create table outbox_messages (
    id            uuid primary key,
    message_type  text        not null,
    payload       jsonb       not null,
    traceparent   text,
    created_at    timestamptz not null default now(),
    sent_at       timestamptz,
    attempts      integer     not null default 0,
    last_error    text
);

-- The relay only ever looks for what is still unsent, oldest first.
create index outbox_messages_unsent on outbox_messages (created_at) where sent_at is null;

create table inbox_messages (
    message_id   uuid        not null,
    consumer     text        not null,
    handled_at   timestamptz not null default now(),
    primary key (message_id, consumer)
);
