-- A person the network has helped. Identity data (name, ID number) is added by identity confirmation;
-- a registered case alone gives only what the bus carries.
create table persons (
    id                  uuid primary key,
    first_case_id       uuid        not null unique,
    county_code         char(6)     not null,
    service_point_code  text        not null,
    sex                 text        not null,
    estimated_age       smallint,
    recorded_at         timestamptz not null,
    trace_id            text
);
