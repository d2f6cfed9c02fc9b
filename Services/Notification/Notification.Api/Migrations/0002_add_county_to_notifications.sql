-- The county of the referral, so county officers can see their county's duty-desk traffic.
alter table notifications add column county_code char(6) not null default '000000';
alter table notifications alter column county_code drop default;
