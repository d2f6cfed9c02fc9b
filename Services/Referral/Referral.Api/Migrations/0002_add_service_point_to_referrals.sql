-- The point a referral came from, so point staff can follow the hand-offs of their own cases.
alter table referrals add column service_point_code text not null default '';
alter table referrals alter column service_point_code drop default;
