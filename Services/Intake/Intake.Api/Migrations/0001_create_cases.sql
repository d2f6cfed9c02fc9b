-- A case: one person's request for help, registered at a point, by the hotline, by outreach or police.
create table cases (
    id                  uuid primary key,
    county_code         char(6)     not null,
    service_point_code  text        not null,
    channel             text        not null,
    person_name         text,
    sex                 text        not null,
    estimated_age       smallint,
    need                text        not null,
    circumstances       text,
    registered_by       text        not null,
    registered_at       timestamptz not null,
    -- The trace the case was registered under, so ops can go from a case to its trace.
    trace_id            text
);

create index cases_county_registered on cases (county_code, registered_at desc);
