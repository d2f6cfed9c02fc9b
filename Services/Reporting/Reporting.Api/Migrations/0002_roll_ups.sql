-- Monthly roll-ups of the read model (issue 14's benchmark: the statistics page over a year of 1,000,000 cases within
-- 200 ms). A summary over whole months reads these few thousand rows instead of the period's cases and relief rows; the
-- days of a period outside whole months are still counted from the rows (StatisticsSummary).
--
-- They follow the rows through triggers, in the same statement and transaction as the handler's upsert: whatever writes
-- a row (a consumer, the rebuild, a point's new kind) moves its count from the old row's buckets to the new row's, so
-- incremental feed and rebuild agree, and an upsert that changes nothing the roll-up counts (a redelivery, a replay)
-- leaves it as it was — the update triggers only fire when a counted column really changed.

-- What a case counts under, one (dimension, value) per breakdown of the summary: 'all' for the totals and the breakdowns
-- by month, county, point and kind of point (the roll-up's own columns), the others as StatisticsSummary names them.
-- A case has several situations: one row each, as the row query's unnest counts them.
create function report_case_buckets(channel text, identity_status text, outcome text, closed_at timestamptz, situations text[])
returns table (dimension text, value text)
language sql immutable as $$
    -- One unnest, no union: PostgreSQL 15 inlines this into the caller's lateral join (a union there fails to plan).
    select * from unnest(
        array['all', 'channel', 'identity', 'outcome'] || array_fill('situation'::text, array[cardinality(coalesce(situations, '{}'))]),
        array['all', coalesce(channel, 'unknown'), coalesce(identity_status, 'unconfirmed'),
              coalesce(outcome, case when closed_at is null then 'open' else 'closed' end)] || coalesce(situations, '{}'))
$$;

-- Cases by registration month (Beijing) × county × point × kind of point × one breakdown's value. Zero rows stay (a
-- case moved away); the queries leave them out.
create table report_case_counts (
    month              date not null,
    county_code        text,
    service_point_code text,
    point_kind         text,
    dimension          text not null,
    value              text not null,
    cases              int not null,
    constraint report_case_counts_key unique nulls not distinct (month, county_code, service_point_code, point_kind, dimension, value)
);

create index report_case_counts_county on report_case_counts (county_code, dimension, month);

-- A case without a registration time (an early IdentityConfirmed) is in no period: it counts once its month is known.
create function report_case_counts_follow() returns trigger language plpgsql as $$
begin
    insert into report_case_counts as t (month, county_code, service_point_code, point_kind, dimension, value, cases)
    select d.month, d.county_code, d.service_point_code, d.point_kind, d.dimension, d.value, sum(d.delta)::int
    from (
        select (old).month, (old).county_code, (old).service_point_code, (old).point_kind, b.dimension, b.value, -1 as delta
        from report_case_buckets((old).channel, (old).identity_status, (old).outcome, (old).closed_at, (old).situations) b where tg_op <> 'INSERT' and (old).month is not null
        union all
        select (new).month, (new).county_code, (new).service_point_code, (new).point_kind, b.dimension, b.value, 1
        from report_case_buckets((new).channel, (new).identity_status, (new).outcome, (new).closed_at, (new).situations) b where tg_op <> 'DELETE' and (new).month is not null
    ) d
    group by 1, 2, 3, 4, 5, 6
    having sum(d.delta) <> 0
    -- One order for every transaction's buckets: two consumers moving cases between the same buckets do not deadlock.
    order by 1, 2, 3, 4, 5, 6
    on conflict (month, county_code, service_point_code, point_kind, dimension, value) do update set cases = t.cases + excluded.cases;
    return null;
end
$$;

create trigger report_case_counts_insert after insert on report_cases
    for each row execute function report_case_counts_follow();
create trigger report_case_counts_delete after delete on report_cases
    for each row execute function report_case_counts_follow();
create trigger report_case_counts_update after update on report_cases
    for each row
    when ((old.month, old.county_code, old.service_point_code, old.point_kind, old.channel, old.identity_status, old.outcome,
           old.closed_at is null, old.situations)
          is distinct from
          (new.month, new.county_code, new.service_point_code, new.point_kind, new.channel, new.identity_status, new.outcome,
           new.closed_at is null, new.situations))
    execute function report_case_counts_follow();

-- Relief given (voided actions left out) by entry month (Beijing) × county × kind × voucher destination.
create table report_relief_counts (
    month                date not null,
    county_code          text not null,
    kind                 text not null,
    destination_province text,
    actions              int not null,
    amount               numeric(14, 2) not null,
    constraint report_relief_counts_key unique nulls not distinct (month, county_code, kind, destination_province)
);

create index report_relief_counts_county on report_relief_counts (county_code, month);

create function report_relief_month(at timestamptz) returns date language sql immutable as $$
    select date_trunc('month', at at time zone interval '8 hours')::date
$$;

create function report_relief_counts_follow() returns trigger language plpgsql as $$
begin
    insert into report_relief_counts as t (month, county_code, kind, destination_province, actions, amount)
    select d.month, d.county_code, d.kind, d.destination_province, sum(d.delta)::int, sum(d.amount)
    from (
        select report_relief_month((old).recorded_at) as month, (old).county_code, (old).kind, (old).destination_province,
               -1 as delta, -coalesce((old).amount, 0) as amount
        where tg_op <> 'INSERT' and (old).recorded_at is not null and (old).voided_at is null
        union all
        select report_relief_month((new).recorded_at), (new).county_code, (new).kind, (new).destination_province,
               1, coalesce((new).amount, 0)
        where tg_op <> 'DELETE' and (new).recorded_at is not null and (new).voided_at is null
    ) d
    group by 1, 2, 3, 4
    having sum(d.delta) <> 0 or sum(d.amount) <> 0
    order by 1, 2, 3, 4
    on conflict (month, county_code, kind, destination_province)
        do update set actions = t.actions + excluded.actions, amount = t.amount + excluded.amount;
    return null;
end
$$;

create trigger report_relief_counts_insert after insert on report_relief
    for each row execute function report_relief_counts_follow();
create trigger report_relief_counts_delete after delete on report_relief
    for each row execute function report_relief_counts_follow();
create trigger report_relief_counts_update after update on report_relief
    for each row
    when ((old.recorded_at, old.voided_at is null, old.county_code, old.kind, old.destination_province, old.amount)
          is distinct from
          (new.recorded_at, new.voided_at is null, new.county_code, new.kind, new.destination_province, new.amount))
    execute function report_relief_counts_follow();

-- The cases behind a number, a page at a time in registration order (CasesQuery): one county's month walks its own rows.
create index report_cases_county_registered_id on report_cases (county_code, registered_at, case_id);
create index report_cases_registered_id on report_cases (registered_at, case_id);
drop index report_cases_county_registered;
drop index report_cases_registered;

-- Referrals and relief scoped by their own county column (StatisticsSummary), their period's rows from the index alone.
create index report_referrals_county_requested_cover on report_referrals (county_code, requested_at)
    include (case_id, accepted_at, rejected_at, overdue_at, completed_at, reject_reason, receiving_station_county);
drop index report_referrals_county_requested;

-- The roll-ups counted afresh from the rows, by the same bucket functions as the triggers: for a bulk load that filled
-- the rows with the triggers disabled (the statistics benchmark's COPY), and as the check the tests compare with.
create function report_roll_ups_refill() returns void language sql as $$
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
$$;

-- The city's summary reads one dimension of the period's months.
create index report_case_counts_dimension on report_case_counts (dimension, month);
