-- Issue 11: classified relief (分类救助) as versioned rules, the relief ledger, the referral lifecycle and its deadlines.

-- The cases Referral knows (from CaseRegistered), so that relief can be recorded and scoped before any referral exists.
create table cases (
    id                 uuid primary key,
    county_code        char(6)     not null,
    service_point_code text        not null,
    registered_at      timestamptz not null
);

-- Classification rules as data: each version is a whole rule set, never edited once written; the highest is in force.
create table rule_sets (
    version     int primary key,
    rules       jsonb       not null,
    created_at  timestamptz not null,
    created_by  text        not null,
    comment     text        not null default ''
);

-- Each classification of a case: the rule set version, the rules that fired and why, in words. Never rewritten.
create table classifications (
    id               uuid primary key,
    case_id          uuid        not null references cases (id),
    rule_set_version int         not null references rule_sets (version),
    decision         text        not null check (decision in ('relief_at_point', 'referral')),
    fired            jsonb       not null,   -- [{ code, explanationZh, explanationEn, ... }]
    priority         text,
    at               timestamptz not null,
    trigger          text        not null    -- registered, identity_confirmed, updated
);
create index classifications_case on classifications (case_id, at desc);

-- Referrals: a case may have many over time (a re-referral after a rejection, a transfer), but one open at a time.
alter table referrals drop constraint referrals_case_id_key;
alter table referrals drop constraint referrals_status_check;
update referrals set status = 'requested' where status = 'sent';
alter table referrals add constraint referrals_status_check
    check (status in ('requested', 'accepted', 'rejected', 'in_progress', 'completed', 'cancelled', 'transferred'));
alter table referrals
    add column version         int         not null default 1,
    add column priority        text        not null default 'normal' check (priority in ('urgent', 'high', 'normal')),
    add column classification_id uuid      references classifications (id),
    add column accept_by       timestamptz,
    add column accepted_at     timestamptz,
    add column care_started_at timestamptz,
    add column care_until      timestamptz,
    add column closed_at       timestamptz,
    add column reject_reason   text,
    add column outcome         text,
    add column outcome_detail  jsonb,
    add column transferred_from uuid references referrals (id),
    add column overdue_level   int         not null default 0,
    add column updated_at      timestamptz;
create unique index referrals_one_open_per_case on referrals (case_id) where status in ('requested', 'accepted', 'in_progress');
create index referrals_case on referrals (case_id, sent_at);

-- Every change of a referral, who made it and why: the audit trail and the case page's referral history.
create table referral_history (
    id          bigint generated always as identity primary key,
    referral_id uuid        not null references referrals (id),
    version     int         not null,
    at          timestamptz not null,
    by          text        not null,
    action      text        not null,
    from_status text,
    to_status   text        not null,
    detail      jsonb       not null default '{}'::jsonb,
    unique (referral_id, version)
);

-- Deadlines that survive restarts (this broker has no delayed delivery): a row per deadline and level, taken by one
-- instance with skip locked and fired in the same transaction as its outbox event, so it fires exactly once.
create table deadlines (
    id          uuid primary key,
    referral_id uuid        not null references referrals (id),
    kind        text        not null check (kind in ('acceptance', 'care_days')),
    level       int         not null,
    due_at      timestamptz not null,
    fired_at    timestamptz,
    cancelled_at timestamptz,
    unique (referral_id, kind, level)
);
create index deadlines_due on deadlines (due_at) where fired_at is null and cancelled_at is null;

-- The relief ledger: what was given, once (the client's id makes a retry the same entry), voidable with a reason.
create table relief_actions (
    id                 uuid primary key,
    case_id            uuid          not null references cases (id),
    referral_id        uuid          references referrals (id),
    county_code        char(6)       not null,
    service_point_code text          not null,
    kind               text          not null check (kind in ('food', 'water', 'travel_voucher', 'lodging', 'escort', 'cash_fare', 'clothing', 'medical', 'family_contact')),
    amount             numeric(10, 2),
    details            jsonb         not null default '{}'::jsonb,
    receipt_signed     boolean       not null default false,
    recorded_at        timestamptz   not null,
    recorded_by        text          not null,
    recorded_by_office text,
    voided_at          timestamptz,
    voided_by          text,
    void_reason        text
);
create index relief_actions_case on relief_actions (case_id, recorded_at);

-- Stays beyond the care days (10 by the national rules) need an approved extension.
create table stay_extensions (
    id           uuid primary key,
    referral_id  uuid        not null references referrals (id),
    days         int         not null check (days between 1 and 90),
    reason       text        not null,
    requested_at timestamptz not null,
    requested_by text        not null,
    status       text        not null default 'pending' check (status in ('pending', 'approved', 'refused')),
    decided_at   timestamptz,
    decided_by   text,
    decision_comment text
);
create index stay_extensions_pending on stay_extensions (requested_at) where status = 'pending';
