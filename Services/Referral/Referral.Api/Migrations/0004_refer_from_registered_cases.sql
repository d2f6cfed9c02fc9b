-- Referral now decides from Intake's CaseRegistered, not from Registry's person record: a Registry outage must not
-- hold back an emergency referral. The person a case belongs to is Registry's to know; older rows keep theirs.
alter table referrals alter column person_id drop not null;
