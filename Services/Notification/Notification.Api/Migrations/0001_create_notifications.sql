-- What a relief station's duty desk is told, and through which channel.
create table notifications (
    id            uuid primary key,
    referral_id   uuid        not null,
    case_id       uuid        not null,
    recipient     text        not null,
    channel       text        not null check (channel in ('duty_desk_feed', 'webhook', 'sms')),
    message       text        not null,
    created_at    timestamptz not null,
    trace_id      text,
    unique (referral_id, channel)
);

create index notifications_recipient_created on notifications (recipient, created_at desc);
create index notifications_case on notifications (case_id);
