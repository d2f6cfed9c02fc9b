-- Classified relief (分类救助): the case number staff read aloud, from Intake's facts; when those facts were read, so an
-- older read of a case never overwrites the decision a newer one made; and the default rules as version 1.
alter table cases
    add column case_number text,
    add column facts_as_of timestamptz;

-- The default rules. Every rule whose condition holds fires; the decision is a referral if any fired rule refers, its
-- priority the highest of theirs; a case no rule fits is helped at the point. Conditions: identityStatus, channel (one
-- of), situationsAny, needsAny (at least one of), documentGiven (an identity document was given, checked or not), need
-- (the relief category staff chose), ageAtLeast, ageBelow (an unknown age meets neither), any (one of the conditions holds); all given must hold. Explanations name the facts: {identityStatus} {age} {situations} {needs}
-- {channel} {householdCounty}. Codes name what is done, not what the person has: they travel in CaseClassified, and a
-- situation such as an illness is health data that must not. A city administrator posts a new version through the API;
-- versions are never edited.
insert into rule_sets (version, rules, created_at, created_by, comment) values (1, $$
[
  {
    "code": "travel_assistance_at_point",
    "when": {
      "identityStatus": ["id_card_checked", "police_check"],
      "any": [
        { "situationsAny": ["no_fare", "lost_documents"] },
        { "needsAny": ["travel_home"] }
      ]
    },
    "decision": "relief_at_point",
    "escortRequired": false,
    "reliefAtPoint": ["travel_voucher", "food"],
    "urgentActions": [],
    "explanationZh": "身份已确认（方式：{identityStatus}），无返乡路费或证件遗失：在服务点发放至户籍地（{householdCounty}）的乘车凭证和必要饮食，不转介",
    "explanationEn": "identity confirmed ({identityStatus}) and no means to get home: a travel voucher to the household place ({householdCounty}) and food at the point, no referral"
  },
  {
    "code": "refer_unidentified_to_station",
    "when": {
      "any": [
        { "identityStatus": ["not_established"] },
        { "identityStatus": ["unconfirmed", "self_declared"], "documentGiven": false }
      ]
    },
    "decision": "referral",
    "referTo": "relief_station",
    "priority": "high",
    "escortRequired": false,
    "reliefAtPoint": ["food", "water"],
    "urgentActions": [],
    "explanationZh": "身份未能确认（方式：{identityStatus}），转介至本县救助管理站临时照料、寻亲、医疗和安置",
    "explanationEn": "identity not established ({identityStatus}): referred to the county's relief station for temporary care, family search, medical care and placement"
  },
  {
    "code": "hospital_first",
    "when": {
      "any": [
        { "situationsAny": ["ill_or_injured"] },
        { "need": ["Emergency"] }
      ]
    },
    "decision": "referral",
    "referTo": "relief_station",
    "priority": "urgent",
    "escortRequired": false,
    "reliefAtPoint": [],
    "urgentActions": ["hospital"],
    "explanationZh": "患病、受伤或紧急情况：先送医院救治（或报警），再由本县救助管理站跟进",
    "explanationEn": "ill, injured or an emergency: hospital (or police) first, then the county's relief station follows up"
  },
  {
    "code": "referral_chosen_by_staff",
    "when": {
      "need": ["Referral"]
    },
    "decision": "referral",
    "referTo": "relief_station",
    "priority": "normal",
    "escortRequired": false,
    "reliefAtPoint": [],
    "urgentActions": [],
    "explanationZh": "登记时工作人员选择了转介：转介至本县救助管理站",
    "explanationEn": "staff chose a referral at registration: referred to the county's relief station"
  },
  {
    "code": "child_protection_and_police",
    "when": {
      "any": [
        { "ageBelow": 18 },
        { "situationsAny": ["minor"] }
      ]
    },
    "decision": "referral",
    "referTo": "relief_station",
    "priority": "urgent",
    "escortRequired": true,
    "reliefAtPoint": ["food", "water"],
    "urgentActions": ["police", "child_protection"],
    "explanationZh": "未成年人（年龄：{age}）：立即报警并移交未成年人保护机构，转介本县救助管理站，不得让其独自离开",
    "explanationEn": "a minor (age: {age}): police and child protection at once, referred to the county's relief station; never sent off alone"
  },
  {
    "code": "escort_never_alone",
    "when": {
      "any": [
        { "ageAtLeast": 60 },
        { "situationsAny": ["elderly_alone", "disabled"] }
      ]
    },
    "decision": "relief_at_point",
    "escortRequired": true,
    "reliefAtPoint": [],
    "urgentActions": [],
    "explanationZh": "老年人或残疾人（年龄：{age}）：须由亲属接回或护送返乡，不得让其独自离开",
    "explanationEn": "elderly or disabled (age: {age}): collected by relatives or escorted home, never sent off alone"
  }
]
$$::jsonb, now(), 'system', '默认规则：身份确认后返乡救助、身份不明转介、伤病先送医、未成年人保护、老残护送 / the default rules');
