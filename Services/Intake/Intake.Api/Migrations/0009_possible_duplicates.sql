-- The same person registered twice within minutes at one point (a second staff member, a retry without its key): the
-- later case names the earlier, for staff to look at. A flag, never a refusal: two people may share a name.
alter table cases add column possible_duplicate_of text;
create index cases_point_name_registered on cases (service_point_code, person_name, registered_at desc) where person_name is not null;
