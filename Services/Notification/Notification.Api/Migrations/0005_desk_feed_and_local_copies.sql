-- Issue 12: every office has a duty desk, read as a live feed. A desk item is addressed to an office by its kind and
-- county, and for service points and the hotline also by its code; it carries its source event's key so that the same
-- event twice is one item per desk and channel, whatever message carried it; and a feed id, the position clients resume
-- from (the SSE event id). Urgent cases are told to the county office before any referral exists.
alter table notifications alter column referral_id drop not null;
alter table notifications
    add column feed_id          bigint generated always as identity,
    add column event_key        text,
    add column recipient_office text,
    add column case_number      text,
    add column title            text,
    add column link             text;
alter table notifications add constraint notifications_feed_id_key unique (feed_id);

-- The rows from before were all about a referral: the key their event would have now, and the texts the templates give.
update notifications set
    event_key = case kind
        when 'referral_overdue' then referral_id::text || ':overdue:' || coalesce(deadline_kind, '') || ':' || coalesce(level, 0)
        else referral_id::text || ':1' end,
    title = case kind when 'referral_overdue' then '转介超时' else '新转介' end,
    link = '/referrals/' || referral_id::text;
alter table notifications
    alter column event_key set not null,
    alter column title set not null,
    alter column link set not null;

drop index notifications_one_per_desk;
create unique index notifications_one_per_event_and_desk on notifications
    (event_key, recipient_kind, recipient_county, coalesce(recipient_office, ''), channel);

-- A desk's feed: its items after (or before) a position, newest or oldest first; its unread count.
create index notifications_desk_feed on notifications (recipient_kind, recipient_county, recipient_office, feed_id desc);

-- Identity's offices, kept from OfficeChanged: which desk a code is (its kind and county). The delivery branch creates the
-- same table "if not exists": keep the two in step.
create table if not exists offices (
    code        text primary key,
    name        text not null,
    kind        text not null,
    county_code char(6) not null,
    active      boolean not null,
    version     bigint not null,
    changed_at  timestamptz not null
);

-- Registry's service points, kept from ServicePointChanged: a point's county when Identity has no office for it yet.
create table service_points (
    code                   text primary key,
    name                   text not null,
    kind                   text not null,
    county_code            char(6) not null,
    status                 text not null,
    receiving_station_code text,
    version                integer not null,
    changed_at             timestamptz not null
);

-- Intake's cases as far as a desk needs them: the number messages name, and the point that registered the case (whose
-- desk hears of its rejected and completed referrals). Kept from CaseRegistered; until that arrives, a row known only from
-- a ReferralRequested (its point, no number, registered_at null), which CaseRegistered then completes.
create table cases (
    case_id            uuid primary key,
    case_number        text,
    county_code        char(6) not null,
    service_point_code text not null,
    registered_at      timestamptz
);

-- How far each user has read their office's desk (read marks are a user's own, not the office's).
create table desk_reads (
    user_subject text   not null,
    office_code  text   not null,
    last_read_id bigint not null,
    read_at      timestamptz not null,
    primary key (user_subject, office_code)
);
