-- Case numbers people can read aloud on the phone: <county>-<yyyyMMdd>-<nnnn>, a daily sequence per county (Beijing
-- date). Gap-free: the counter moves inside the registering transaction, so a refused or failed registration takes no
-- number; its row lock makes concurrent registrations of one county and day take consecutive numbers.
create table case_number_counters (
    county_code char(6) not null,
    day         date    not null,
    last        integer not null,
    primary key (county_code, day)
);

alter table cases add column case_number text;

-- The cases registered before numbers existed get theirs, in the order they were registered.
with numbered as (
    select id, county_code, (registered_at at time zone 'Asia/Shanghai')::date as day,
           row_number() over (partition by county_code, (registered_at at time zone 'Asia/Shanghai')::date order by registered_at, id) as n
    from cases)
update cases set case_number = numbered.county_code || '-' || to_char(numbered.day, 'YYYYMMDD') || '-' || lpad(numbered.n::text, greatest(4, length(numbered.n::text)), '0')
from numbered where cases.id = numbered.id;

insert into case_number_counters (county_code, day, last)
select county_code, (registered_at at time zone 'Asia/Shanghai')::date, count(*)
from cases group by 1, 2;

alter table cases alter column case_number set not null;
create unique index cases_case_number on cases (case_number);

-- A retried submit (the same Idempotency-Key from the same user) gets the first answer instead of making a second case.
create table idempotency_keys (
    registered_by text        not null,
    key           text        not null,
    request_hash  bytea       not null,
    case_id       uuid        not null,
    created_at    timestamptz not null,
    primary key (registered_by, key)
);
