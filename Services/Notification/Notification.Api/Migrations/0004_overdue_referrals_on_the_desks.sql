-- Issue 11: a referral left unaccepted (or a stay past its care days) is put on duty desks again, once per deadline and
-- level, and at higher levels on more desks (the station's, then also the county office's, then the city's). So a
-- referral has several notifications now, told apart by their kind, deadline and level and the desk they went to.
alter table notifications drop constraint notifications_referral_id_channel_key;
alter table notifications
    add column kind          text not null default 'referral_requested',
    -- for referral_overdue: which deadline (acceptance, care_days) and its escalation level (1, 2, …)
    add column deadline_kind text,
    add column level         integer;
alter table notifications alter column kind drop default;
create unique index notifications_one_per_desk on notifications
    (referral_id, kind, coalesce(deadline_kind, ''), coalesce(level, 0), recipient_kind, recipient_county, channel);
