-- A re-classification and the case's open referral. When the new decision no longer needs the station (an identity
-- confirmed: a voucher home at the point) and the station has not yet accepted the referral, the system withdraws it;
-- when the decision is more urgent, the referral is made more urgent. Otherwise the referral is left to the people
-- working it, and the decision says that it differs. Each decision records what it did with the case's open referral,
-- written once with the decision like the rest of it.
alter table classifications
    add column open_referral_id     uuid references referrals (id),
    -- The referral's status when the decision was made.
    add column open_referral_status text,
    add column open_referral_effect text check (open_referral_effect in ('withdrawn', 'priority_raised', 'differs')),
    add constraint classifications_open_referral_told_whole check (
        (open_referral_effect is null) = (open_referral_id is null) and (open_referral_id is null) = (open_referral_status is null));

-- A priority raised by a re-classification is noted in the referral's history at the version it has: it changes nothing
-- the station decided, and a station that read the referral before may still accept it on that version.
drop index referral_history_one_change_per_version;
create unique index referral_history_one_change_per_version on referral_history (referral_id, version)
    where action not in ('overdue', 'extension_requested', 'extension_approved', 'extension_refused', 'priority_raised');
