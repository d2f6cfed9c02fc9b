-- Matching (issue 13): what changed and must be (re)scored. Notices are written by other code of this service (their
-- lifecycle); triggers put every inserted or updated notice and report here, so that code needs to know nothing of
-- matching, and the matching pass takes the rows with `for update skip locked`. Rows are only ever inserted by writers
-- (never upserted), so a notice's update never waits on a pass that holds an earlier row of the same notice.
create table match_queue (
    seq         bigint generated always as identity primary key,
    kind        text not null check (kind in ('notice', 'report')),
    subject_id  uuid not null,
    enqueued_at timestamptz not null default now()
);

create function enqueue_notice_for_matching() returns trigger language plpgsql as $$
begin
    insert into match_queue (kind, subject_id) values ('notice', new.id);
    return new;
end $$;

create function enqueue_report_for_matching() returns trigger language plpgsql as $$
begin
    insert into match_queue (kind, subject_id) values ('report', new.id);
    return new;
end $$;

-- Only a change to what is scored (or to whether the notice is open) re-scores it: an overdue level or a photo does not.
create trigger notices_enqueue_on_insert after insert on notices
    for each row execute function enqueue_notice_for_matching();
create trigger notices_enqueue_on_update after update on notices
    for each row when (old.status is distinct from new.status or old.sex is distinct from new.sex
        or old.age_low is distinct from new.age_low or old.age_high is distinct from new.age_high
        or old.height_cm is distinct from new.height_cm or old.accent is distinct from new.accent
        or old.found_on is distinct from new.found_on or old.found_county is distinct from new.found_county
        or old.details_sealed is distinct from new.details_sealed)
    execute function enqueue_notice_for_matching();

create trigger reports_enqueue_on_insert after insert on reports
    for each row execute function enqueue_report_for_matching();
create trigger reports_enqueue_on_update after update on reports
    for each row when (old.status is distinct from new.status or old.sex is distinct from new.sex
        or old.age_then is distinct from new.age_then or old.height_cm is distinct from new.height_cm
        or old.last_seen_year is distinct from new.last_seen_year or old.last_seen_on is distinct from new.last_seen_on
        or old.last_seen_county is distinct from new.last_seen_county or old.sought_sealed is distinct from new.sought_sealed)
    execute function enqueue_report_for_matching();
