-- Monthly roll-ups of the referrals (issue 14's benchmark: the statistics page over a year within 200 ms), kept like
-- 0002's by triggers in the handlers' transactions: a row's change moves its counts from the old values to the new.
-- The summary reads them for a period of whole months by county (StatisticsSummary); other periods count the rows.

-- Referrals by month sent (Beijing) × county × receiving station × reason of rejection (null unless rejected).
create table report_referral_counts (
    month         date not null,
    county_code   text not null,
    station       text not null,
    reject_reason text,
    referrals     int not null,
    accepted      int not null,
    rejected      int not null,
    overdue       int not null,
    completed     int not null,
    constraint report_referral_counts_key unique nulls not distinct (month, county_code, station, reject_reason)
);

create index report_referral_counts_county on report_referral_counts (county_code, month);

-- Minutes from sending to acceptance, a histogram of whole minutes by month × county × station: the hand-off's p50 and
-- p90 come from it, to within the minute (the API says so: handoff.acceptMinutesApproximate).
create table report_referral_accept_minutes (
    month       date not null,
    county_code text not null,
    station     text not null,
    minute      int not null,
    referrals   int not null,
    constraint report_referral_accept_minutes_key unique (month, county_code, station, minute)
);

create index report_referral_accept_minutes_county on report_referral_accept_minutes (county_code, month);

-- Cases referred: a case counts once in a period however many referrals it had. Each month a case was referred in is
-- one row here with the month of its referral before that (null for its first): a period of whole months [from, to)
-- counts the rows with from <= month < to whose earlier month is before from or none — each case once, exactly.
create table report_referred_months (
    month       date not null,
    prior_month date,
    county_code text not null,
    cases       int not null,
    constraint report_referred_months_key unique nulls not distinct (month, prior_month, county_code)
);

create index report_referred_months_county on report_referred_months (county_code, month);

create function report_referral_counts_follow() returns trigger language plpgsql as $$
declare
    old_months date[];
    new_months date[];
    the_case uuid := coalesce((new).case_id, (old).case_id);
    the_county text := coalesce((new).county_code, (old).county_code);
begin
    insert into report_referral_counts as t (month, county_code, station, reject_reason, referrals, accepted, rejected, overdue, completed)
    select d.month, d.county_code, d.station, d.reject_reason, sum(d.referrals)::int, sum(d.accepted)::int, sum(d.rejected)::int,
           sum(d.overdue)::int, sum(d.completed)::int
    from (
        select report_relief_month((old).requested_at) as month, (old).county_code, (old).receiving_station_county as station,
               case when (old).rejected_at is not null then (old).reject_reason end as reject_reason, -1 as referrals,
               -((old).accepted_at is not null)::int as accepted, -((old).rejected_at is not null)::int as rejected,
               -((old).overdue_at is not null)::int as overdue, -((old).completed_at is not null)::int as completed
        where tg_op <> 'INSERT' and (old).requested_at is not null
        union all
        select report_relief_month((new).requested_at), (new).county_code, (new).receiving_station_county,
               case when (new).rejected_at is not null then (new).reject_reason end, 1,
               ((new).accepted_at is not null)::int, ((new).rejected_at is not null)::int,
               ((new).overdue_at is not null)::int, ((new).completed_at is not null)::int
        where tg_op <> 'DELETE' and (new).requested_at is not null
    ) d
    group by 1, 2, 3, 4
    having sum(d.referrals) <> 0 or sum(d.accepted) <> 0 or sum(d.rejected) <> 0 or sum(d.overdue) <> 0 or sum(d.completed) <> 0
    order by 1, 2, 3, 4
    on conflict (month, county_code, station, reject_reason) do update set
        referrals = t.referrals + excluded.referrals, accepted = t.accepted + excluded.accepted, rejected = t.rejected + excluded.rejected,
        overdue = t.overdue + excluded.overdue, completed = t.completed + excluded.completed;

    insert into report_referral_accept_minutes as t (month, county_code, station, minute, referrals)
    select d.month, d.county_code, d.station, d.minute, sum(d.delta)::int
    from (
        select report_relief_month((old).requested_at) as month, (old).county_code, (old).receiving_station_county as station,
               floor(extract(epoch from (old).accepted_at - (old).requested_at) / 60)::int as minute, -1 as delta
        where tg_op <> 'INSERT' and (old).requested_at is not null and (old).accepted_at is not null
        union all
        select report_relief_month((new).requested_at), (new).county_code, (new).receiving_station_county,
               floor(extract(epoch from (new).accepted_at - (new).requested_at) / 60)::int, 1
        where tg_op <> 'DELETE' and (new).requested_at is not null and (new).accepted_at is not null
    ) d
    group by 1, 2, 3, 4
    having sum(d.delta) <> 0
    order by 1, 2, 3, 4
    on conflict (month, county_code, station, minute) do update set referrals = t.referrals + excluded.referrals;

    -- The case's months of referral before this row's change and after it (the table holds the new rows already). One
    -- transaction at a time per case: two referrals of a case written side by side would each miss the other's month.
    if (tg_op = 'UPDATE' and (old).requested_at is not distinct from (new).requested_at and (old).county_code = (new).county_code) then
        return null;
    end if;
    perform pg_advisory_xact_lock(hashtextextended('report_referred_months ' || the_case::text, 0));
    select coalesce(array_agg(distinct report_relief_month(r.requested_at)), '{}') into new_months
    from report_referrals r where r.case_id = the_case and r.requested_at is not null;
    select coalesce(array_agg(distinct m), '{}') into old_months
    from (select report_relief_month(r.requested_at) as m from report_referrals r
          where r.case_id = the_case and r.requested_at is not null and r.referral_id <> coalesce((new).referral_id, (old).referral_id)
          union all
          select report_relief_month((old).requested_at) where tg_op <> 'INSERT' and (old).requested_at is not null) o;
    if old_months = new_months and tg_op = 'UPDATE' and (old).county_code = (new).county_code then
        return null;
    end if;

    insert into report_referred_months as t (month, prior_month, county_code, cases)
    select d.month, d.prior_month, d.county_code, sum(d.delta)::int
    from (
        select m as month, lag(m) over (order by m) as prior_month, coalesce((old).county_code, the_county) as county_code, -1 as delta
        from unnest(old_months) m
        union all
        select m, lag(m) over (order by m), the_county, 1 from unnest(new_months) m
    ) d
    group by 1, 2, 3
    having sum(d.delta) <> 0
    order by 1, 2, 3
    on conflict (month, prior_month, county_code) do update set cases = t.cases + excluded.cases;
    return null;
end
$$;

create trigger report_referral_counts_insert after insert on report_referrals
    for each row execute function report_referral_counts_follow();
create trigger report_referral_counts_delete after delete on report_referrals
    for each row execute function report_referral_counts_follow();
create trigger report_referral_counts_update after update on report_referrals
    for each row
    when ((old.requested_at, old.county_code, old.receiving_station_county, old.accepted_at is null, old.rejected_at is null,
           old.reject_reason, old.overdue_at is null, old.completed_at is null,
           floor(extract(epoch from old.accepted_at - old.requested_at) / 60))
          is distinct from
          (new.requested_at, new.county_code, new.receiving_station_county, new.accepted_at is null, new.rejected_at is null,
           new.reject_reason, new.overdue_at is null, new.completed_at is null,
           floor(extract(epoch from new.accepted_at - new.requested_at) / 60)))
    execute function report_referral_counts_follow();

-- 0002's refill, with the referrals' roll-ups too.
create or replace function report_roll_ups_refill() returns void language sql as $$
    delete from report_case_counts;
    insert into report_case_counts (month, county_code, service_point_code, point_kind, dimension, value, cases)
    select c.month, c.county_code, c.service_point_code, c.point_kind, b.dimension, b.value, count(*)::int
    from report_cases c cross join lateral report_case_buckets(c.channel, c.identity_status, c.outcome, c.closed_at, c.situations) b
    where c.month is not null
    group by 1, 2, 3, 4, 5, 6;
    delete from report_relief_counts;
    insert into report_relief_counts (month, county_code, kind, destination_province, actions, amount)
    select report_relief_month(a.recorded_at), a.county_code, a.kind, a.destination_province, count(*)::int, coalesce(sum(a.amount), 0)
    from report_relief a
    where a.recorded_at is not null and a.voided_at is null
    group by 1, 2, 3, 4;
    delete from report_referral_counts;
    insert into report_referral_counts (month, county_code, station, reject_reason, referrals, accepted, rejected, overdue, completed)
    select report_relief_month(r.requested_at), r.county_code, r.receiving_station_county,
           case when r.rejected_at is not null then r.reject_reason end,
           count(*)::int, count(r.accepted_at)::int, count(r.rejected_at)::int, count(r.overdue_at)::int, count(r.completed_at)::int
    from report_referrals r where r.requested_at is not null
    group by 1, 2, 3, 4;
    delete from report_referral_accept_minutes;
    insert into report_referral_accept_minutes (month, county_code, station, minute, referrals)
    select report_relief_month(r.requested_at), r.county_code, r.receiving_station_county,
           floor(extract(epoch from r.accepted_at - r.requested_at) / 60)::int, count(*)::int
    from report_referrals r where r.requested_at is not null and r.accepted_at is not null
    group by 1, 2, 3, 4;
    delete from report_referred_months;
    insert into report_referred_months (month, prior_month, county_code, cases)
    select m.month, m.prior_month, m.county_code, count(*)::int
    from (select d.month, lag(d.month) over (partition by d.case_id order by d.month) as prior_month, d.county_code
          from (select distinct r.case_id, report_relief_month(r.requested_at) as month, r.county_code
                from report_referrals r where r.requested_at is not null) d) m
    group by 1, 2, 3;
$$;
