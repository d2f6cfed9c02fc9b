-- Who did something, as staff and auditors recognise them: the name (and office) the user's token carried when they
-- did it, stored beside the subject. The subject stays the record of who it was (a user name can be changed, the id
-- cannot); the name is what pages show. Null for rows written before: pages show the subject for those.
alter table relief_actions
    add column recorded_by_name text,
    add column voided_by_name   text,
    add column voided_by_office text;

alter table referral_history
    add column by_name   text,
    add column by_office text;

alter table stay_extensions
    add column requested_by_name   text,
    add column requested_by_office text,
    add column decided_by_name     text,
    add column decided_by_office   text;

alter table rule_sets
    add column created_by_name text;

-- What the service itself did (a rule opened the referral, a deadline passed, the default rules) was never a user's:
-- those rows get the readable name the code now writes for them.
update referral_history set by_name = '系统：分类规则 / system: classification rules' where by = 'classification';
update referral_history set by_name = '系统：时限 / system: deadlines' where by = 'system';
update rule_sets set created_by_name = '系统 / system' where created_by = 'system';
