-- Who took a step of a case, as staff and auditors recognise them: the name and office the user's token carried, beside
-- the subject in "by" (which stays the record of who it was: a user name can be changed, the id cannot). Null for
-- steps written before, and for the steps Intake heard of from Referral ("by" = 'referral'): who took those is on the
-- referral's own history, and no event carries a user's name.
alter table case_history
    add column by_name   text,
    add column by_office text;
