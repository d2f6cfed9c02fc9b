-- Intake's own copy of the network's service points, kept from Registry's ServicePointChanged events: registration
-- will check a case's point against it without asking Registry (a Registry outage must not stop intake).
create table service_points (
    code text primary key,
    name text not null,
    kind text not null,
    county_code char(6) not null,
    status text not null,
    receiving_station_code text,
    version integer not null,
    changed_at timestamptz not null
);
