-- Family search (寻亲, issue 13). A copy of each case (number, county, point) to scope the work by, and the notices.

create table cases (
    case_id            uuid primary key,
    case_number        text not null,
    county_code        text not null,
    service_point_code text not null,
    registered_at      timestamptz not null
);

-- 寻亲公告: one per case and arrival at a station. draft → in_review → published → withdrawn (or draft → withdrawn when
-- the person is identified before publication; in_review → draft when the approver returns it).
create table notices (
    id               uuid primary key,
    case_id          uuid not null,
    case_number      text not null,
    referral_id      uuid not null unique,
    -- The case's county, and the county of the relief station that works the notice (its scope and desk).
    county_code      text not null,
    station_county   text not null,
    status           text not null check (status in ('draft', 'in_review', 'published', 'withdrawn')),
    version          int not null default 1,
    arrived_at       timestamptz not null,
    due_at           timestamptz not null,
    overdue_level    int not null default 0,
    -- Coarse items in clear: the public page filters by them and matching pre-selects by them (the national site's
    -- filters). sex: male, female or unknown; ages as a range (an estimate ±); height in cm.
    sex              text not null default 'unknown',
    age_low          int,
    age_high         int,
    height_cm        int,
    build            text,
    ethnicity        text,
    accent           text,
    found_on         date,
    found_county     text,
    -- Everything else (name if any, health, intellectual and mental state, features, clothing, place found, the
    -- station's contact) as one JSON document sealed with the service's key (PersonalDataProtector, owner = notice id):
    -- it is personal data until published.
    details_key_id   text,
    details_sealed   bytea,
    photo_id         uuid,
    drafted_at       timestamptz not null,
    submitted_at     timestamptz,
    submitted_by     text,
    submitted_by_name text,
    approved_at      timestamptz,
    approved_by      text,
    approved_by_name text,
    published_at     timestamptz,
    withdrawn_at     timestamptz,
    withdrawn_reason text,
    updated_at       timestamptz not null
);

create index notices_by_station on notices (station_county, status, due_at);
create index notices_by_case on notices (case_id);
create index notices_published on notices (published_at desc, id) where status = 'published';
