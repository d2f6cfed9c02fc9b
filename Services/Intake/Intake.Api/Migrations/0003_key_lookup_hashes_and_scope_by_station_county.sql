-- The lookup hash records which lookup key made it, so that key can rotate without breaking find-by-ID-number.
alter table cases add column id_number_hash_key_id text;

-- A referral goes to the relief station of a county (one per county or district): its staff are scoped by their
-- office's kind and county, not by a naming convention of office codes.
drop index cases_referred_to_station;
alter table cases drop column referred_to_station;
alter table cases add column referred_to_station_county char(6);
create index cases_referred_to_station_county on cases (referred_to_station_county) where referred_to_station_county is not null;
