-- Family search (issue 13): a person whose family recognised them (identity method relatives_confirmed, after a
-- reunion) has an established identity, as one whose ID card or police check confirmed it. The rules in force get a new
-- version that names relatives_confirmed wherever they name id_card_checked — versions are never edited — unless they
-- already name it. Published by this migration, as the version's author says.
insert into rule_sets (version, rules, created_at, created_by, created_by_name, comment)
select version + 1,
       replace(rules::text, '"id_card_checked"', '"id_card_checked", "relatives_confirmed"')::jsonb,
       now(), 'migration', '0012_relatives_confirmed_is_an_established_identity',
       '亲属确认（寻亲成功）视同身份已确认 / identity confirmed by relatives counts as established, like an ID card checked'
from rule_sets
where version = (select max(version) from rule_sets)
  and rules::text like '%"id_card_checked"%'
  and rules::text not like '%"relatives_confirmed"%';
