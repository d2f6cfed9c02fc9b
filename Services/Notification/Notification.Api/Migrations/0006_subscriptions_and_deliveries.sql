-- Issue 12: offices subscribe their desks' items, per kind and channel, to their own systems (a webhook in one of three
-- formats) or to phones (SMS through the bureau's gateway); every planned delivery and each attempt at it is a row, so
-- delivery can be proved and nothing is dropped silently.

-- The local copy of Identity's offices (kept from OfficeChanged by the duty-desk side, migration 0005, which creates it
-- identically): subscriptions are checked against it and planned by it.
create table if not exists offices (
    code        text primary key,
    name        text        not null,
    kind        text        not null,
    county_code char(6)     not null,
    active      boolean     not null,
    version     bigint      not null,
    changed_at  timestamptz not null
);

-- The target (a webhook URL — a group robot's URL carries its access key — or phone numbers) and the signing secret are
-- sealed at rest (AES-256-GCM, bound to the subscription's id); target_display is the masked form pages and logs show.
create table subscriptions (
    id              uuid primary key,
    office_code     text        not null,
    kind            text        not null,
    channel         text        not null check (channel in ('webhook', 'sms')),
    format          text check (format in ('generic', 'wecom', 'dingtalk')),
    target_key_id   text        not null,
    target_sealed   bytea       not null,
    target_display  text        not null,
    secret_key_id   text,
    secret_sealed   bytea,
    created_at      timestamptz not null,
    created_by      text        not null,
    created_by_name text,
    removed_at      timestamptz,
    removed_by      text,
    check ((channel = 'webhook') = (format is not null))
);

create index subscriptions_office_kind on subscriptions (office_code, kind) where removed_at is null;

-- One delivery per desk item and subscription, whatever writes the item twice. It carries what it sends (the item's
-- title, message and link) and what the log filters by (office, its county for scoping, kind, case number).
create table deliveries (
    id              uuid primary key,
    sequence        bigint generated always as identity unique,
    notification_id uuid        not null references notifications (id),
    subscription_id uuid        not null references subscriptions (id),
    office_code     text        not null,
    office_county   char(6)     not null,
    kind            text        not null,
    case_id         uuid        not null,
    case_number     text,
    channel         text        not null,
    format          text,
    target_display  text        not null,
    title           text        not null,
    message         text        not null,
    link            text        not null,
    status          text        not null check (status in ('pending', 'delivered', 'failed')),
    attempts        integer     not null default 0,
    next_attempt_at timestamptz not null,
    -- Set while an instance sends it; a delivery whose instance died is taken again once this has passed.
    claimed_until   timestamptz,
    last_error      text,
    created_at      timestamptz not null,
    delivered_at    timestamptz,
    failed_at       timestamptz,
    unique (notification_id, subscription_id)
);

-- What the dispatcher looks for: pending deliveries whose next attempt is due.
create index deliveries_due on deliveries (next_attempt_at) where status = 'pending';
create index deliveries_office on deliveries (office_county, office_code, sequence desc);
create index deliveries_case_number on deliveries (case_number) where case_number is not null;

-- Every attempt: when, the outcome, the HTTP status if one came, how long it took, and why it failed (never a URL key
-- or a phone number).
create table delivery_attempts (
    delivery_id uuid        not null references deliveries (id),
    attempt     integer     not null,
    started_at  timestamptz not null,
    status      text        not null check (status in ('delivered', 'failed')),
    http_status integer,
    latency_ms  integer     not null,
    error       text,
    primary key (delivery_id, attempt)
);
