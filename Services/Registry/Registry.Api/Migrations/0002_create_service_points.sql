-- The network of embedded service points (临时救助服务点). Kinds, services and statuses are text checked by the service,
-- so a new kind of point (a city station, a mediation center …) needs no schema change.
-- cube + earthdistance (PostgreSQL contrib) give the nearest-point search an index: KNN over a GiST index of the
-- points' positions on the earth, never a scan of the whole network.
create extension if not exists cube;
create extension if not exists earthdistance;

create table service_points (
    code text primary key,
    name text not null,
    kind text not null,
    county_code char(6) not null,
    address text not null,
    longitude double precision not null,
    latitude double precision not null,
    opening_hours jsonb not null,
    phone text,
    services text[] not null default '{}',
    status text not null,
    sign_installed_on date,
    staff_trained_count integer,
    staff_trained_on date,
    receiving_station_code text,
    is_demo boolean not null default false,
    version integer not null default 1,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index service_points_position on service_points using gist (ll_to_earth(latitude, longitude));
create index service_points_county_kind_status on service_points (county_code, kind, status);

create table service_point_status_history (
    id bigint generated always as identity primary key,
    code text not null references service_points (code),
    status text not null,
    changed_at timestamptz not null,
    changed_by text not null,
    note text
);
create index service_point_status_history_code on service_point_status_history (code, id);
