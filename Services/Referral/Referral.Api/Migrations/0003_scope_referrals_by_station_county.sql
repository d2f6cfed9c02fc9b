-- A referral goes to the relief station of a county (one per county or district); its staff are scoped by their
-- office's kind and county, not by a naming convention of office codes such as RS-<county>.
drop index referrals_station_status;
alter table referrals drop column receiving_station;
alter table referrals add column receiving_station_county char(6) not null default '000000';
alter table referrals alter column receiving_station_county drop default;
create index referrals_station_status on referrals (receiving_station_county, status);
