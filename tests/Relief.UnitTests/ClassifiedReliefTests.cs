using Relief.Intake.Cases;
using Relief.Intake.Contracts;
using Relief.Referral;
using Relief.Referral.Classification;
using CaseFacts = Relief.Referral.Classification.CaseFacts;

namespace Relief.UnitTests;

/// <summary>分类救助: the default rules (as the migration seeds them) evaluated on facts, and rule sets validated.</summary>
public sealed class ClassifiedReliefTests
{
    private static readonly IReadOnlyList<ClassificationRule> Defaults = DefaultRules.Load();

    private static CaseFacts Facts(string identity = "unconfirmed", int? age = 35, string[]? situations = null, string[]? needs = null,
        string? householdCounty = null, string channel = "WalkIn", bool documentGiven = false, string need = "Food") => new(
        Guid.NewGuid(), "140802-20261129-0001", "140802", "YH-CC-001", channel, identity, age, situations ?? [], needs ?? [],
        householdCounty, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, documentGiven, need);

    private static ClassificationOutcome Classify(CaseFacts facts) => Classifier.Classify(Defaults, facts);

    [Fact]
    public void The_default_rules_the_migration_seeds_pass_the_validation_a_posted_set_must_pass()
    {
        Assert.Equal(6, Defaults.Count);
        Assert.Empty(RuleSetValidation.Validate(new PublishRulesRequest("defaults", [.. Defaults])));
    }

    [Theory]
    [InlineData("id_card_checked", "no_fare", null)]
    [InlineData("police_check", "lost_documents", null)]
    [InlineData("id_card_checked", null, "travel_home")]
    public void Identity_confirmed_and_no_means_home_gets_a_voucher_home_and_food_at_the_point_and_no_referral(
        string identity, string? situation, string? need)
    {
        var outcome = Classify(Facts(identity, situations: situation is null ? [] : [situation], needs: need is null ? [] : [need],
            householdCounty: "410102"));

        Assert.Equal("relief_at_point", outcome.Decision);
        Assert.Null(outcome.Priority);
        var rule = Assert.Single(outcome.Fired);
        Assert.Equal("travel_assistance_at_point", rule.Code);
        Assert.Null(rule.ReferTo);
        Assert.Equal(["travel_voucher", "food"], rule.ReliefAtPoint);
        Assert.Contains("户籍地（410102）", rule.ExplanationZh, StringComparison.Ordinal);
        Assert.Contains(identity == "police_check" ? "公安核查" : "已核验身份证", rule.ExplanationZh, StringComparison.Ordinal);
        Assert.Contains("a travel voucher to the household place (410102)", rule.ExplanationEn, StringComparison.Ordinal);
    }

    [Fact]
    public void A_household_place_in_Yuncheng_is_named_in_Chinese()
    {
        var rule = Assert.Single(Classify(Facts("id_card_checked", situations: ["no_fare"], householdCounty: "140825")).Fired);

        Assert.Contains("户籍地（新绛县（140825））", rule.ExplanationZh, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unconfirmed", "待确认", "not yet confirmed")]
    [InlineData("self_declared", "本人自述", "self-declared")]
    [InlineData("not_established", "无法确认", "could not be established")]
    public void An_identity_not_established_is_referred_to_the_countys_station_with_high_priority(string identity, string zh, string en)
    {
        var outcome = Classify(Facts(identity, situations: ["no_fare"]));

        Assert.Equal("referral", outcome.Decision);
        Assert.Equal("high", outcome.Priority);
        var rule = Assert.Single(outcome.Fired);
        Assert.Equal("refer_unidentified_to_station", rule.Code);
        Assert.Equal("relief_station", rule.ReferTo);
        Assert.Equal($"身份未能确认（方式：{zh}），转介至本县救助管理站临时照料、寻亲、医疗和安置", rule.ExplanationZh);
        Assert.StartsWith($"identity not established ({en}): referred to the county's relief station", rule.ExplanationEn, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unconfirmed")]
    [InlineData("self_declared")]
    public void A_person_who_gave_a_document_not_yet_checked_is_helped_at_the_point_and_awaited_not_referred(string identity)
    {
        var outcome = Classify(Facts(identity, situations: ["no_fare"], documentGiven: true));

        Assert.Equal("relief_at_point", outcome.Decision);
        Assert.Equal("no_rule_matched", Assert.Single(outcome.Fired).Code);
    }

    [Fact]
    public void A_document_that_could_not_be_verified_still_sends_the_person_to_the_station()
    {
        var outcome = Classify(Facts("not_established", documentGiven: true));

        Assert.Equal("refer_unidentified_to_station", Assert.Single(outcome.Fired).Code);
    }

    [Theory]
    [InlineData("Emergency", "hospital_first", "urgent")]
    [InlineData("Referral", "referral_chosen_by_staff", "normal")]
    public void The_category_staff_chose_at_registration_is_heard(string need, string rule, string priority)
    {
        var outcome = Classify(Facts("id_card_checked", documentGiven: true, need: need));

        Assert.Equal("referral", outcome.Decision);
        Assert.Equal(priority, outcome.Priority);
        Assert.Equal(rule, Assert.Single(outcome.Fired).Code);
    }

    [Fact]
    public void An_ill_person_goes_to_hospital_first_and_the_referral_becomes_urgent()
    {
        var outcome = Classify(Facts("unconfirmed", situations: ["ill_or_injured"]));

        Assert.Equal("referral", outcome.Decision);
        Assert.Equal("urgent", outcome.Priority);
        Assert.Equal(["refer_unidentified_to_station", "hospital_first"], outcome.RuleCodes);
        Assert.Equal(["hospital"], outcome.Fired[1].UrgentActions);
    }

    [Fact]
    public void An_ill_person_whose_identity_is_confirmed_is_still_referred_after_hospital()
    {
        var outcome = Classify(Facts("id_card_checked", situations: ["ill_or_injured"]));

        Assert.Equal(("referral", "urgent"), (outcome.Decision, outcome.Priority));
        Assert.Equal(["hospital_first"], outcome.RuleCodes);
    }

    [Theory]
    [InlineData(15, null)]
    [InlineData(17, null)]
    [InlineData(null, "minor")]
    public void A_minor_is_handed_to_child_protection_and_the_police_at_once(int? age, string? situation)
    {
        var outcome = Classify(Facts("id_card_checked", age, situation is null ? ["no_fare"] : [situation, "no_fare"]));

        Assert.Equal(("referral", "urgent"), (outcome.Decision, outcome.Priority));
        var rule = outcome.Fired.Single(r => r.Code == "child_protection_and_police");
        Assert.Equal(["police", "child_protection"], rule.UrgentActions);
        Assert.True(rule.EscortRequired);
        Assert.Contains(age is null ? "年龄：不详" : $"年龄：{age} 岁", rule.ExplanationZh, StringComparison.Ordinal);
        // The voucher rule fires too, but the decision is the referral's: every matching rule fires, the referral wins.
        Assert.Contains("travel_assistance_at_point", outcome.RuleCodes);
    }

    [Theory]
    [InlineData(18, false)]
    [InlineData(null, false)]
    public void An_adult_or_a_person_of_unknown_age_not_recorded_as_a_minor_is_not_treated_as_one(int? age, bool fires) =>
        Assert.Equal(fires, Classify(Facts("id_card_checked", age, ["no_fare"])).RuleCodes.Contains("child_protection_and_police"));

    [Theory]
    [InlineData(60, null, true)]
    [InlineData(82, null, true)]
    [InlineData(59, null, false)]
    [InlineData(null, "disabled", true)]
    [InlineData(null, "elderly_alone", true)]
    [InlineData(null, null, false)]
    public void The_elderly_and_disabled_are_escorted_or_collected_never_sent_off_alone(int? age, string? situation, bool escorted)
    {
        var outcome = Classify(Facts("id_card_checked", age, situation is null ? ["no_fare"] : [situation, "no_fare"]));

        Assert.Equal(escorted, outcome.RuleCodes.Contains("escort_never_alone"));
        // The voucher home still applies; the escort goes with it, and no referral is needed for it.
        Assert.Equal("relief_at_point", outcome.Decision);
        if (escorted)
        {
            Assert.True(outcome.Fired.Single(r => r.Code == "escort_never_alone").EscortRequired);
        }
    }

    [Fact]
    public void A_case_no_rule_fits_is_helped_at_the_point_and_the_decision_says_no_rule_applied()
    {
        var outcome = Classify(Facts("id_card_checked", situations: ["lost_phone"]));

        Assert.Equal(("relief_at_point", (string?)null), (outcome.Decision, outcome.Priority));
        var rule = Assert.Single(outcome.Fired);
        Assert.Equal(Classifier.NoRuleMatchedCode, rule.Code);
        Assert.Contains("没有适用的分类规则", rule.ExplanationZh, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "normal", "urgent", "high" }, "urgent")]
    [InlineData(new[] { "normal", "high" }, "high")]
    [InlineData(new[] { "normal" }, "normal")]
    [InlineData(new string[0], null)]
    public void The_priority_is_the_highest_of_the_fired_rules(string[] priorities, string? highest) =>
        Assert.Equal(highest, Classifier.Highest([.. priorities, null]));

    [Fact]
    public void The_same_rules_on_facts_told_differently_are_the_same_outcome()
    {
        var younger = Classify(Facts("id_card_checked", 70, ["no_fare"]));
        var older = Classify(Facts("id_card_checked", 71, ["no_fare"]));

        Assert.NotEqual(younger.Fired[1].ExplanationZh, older.Fired[1].ExplanationZh);
        Assert.True(older.SameAs(younger.Decision, younger.Priority, younger.RuleCodes));
        Assert.False(older.SameAs(younger.Decision, "high", younger.RuleCodes));
        Assert.False(older.SameAs(younger.Decision, younger.Priority, ["travel_assistance_at_point"]));
    }

    [Fact]
    public void A_rule_on_the_channel_fires_only_for_cases_that_came_in_by_it()
    {
        ClassificationRule byPolice = Defaults[1] with
        {
            Code = "police_hand_over", When = new RuleCondition { Channel = ["Police"] }, Priority = "urgent",
        };

        Assert.Equal("urgent", Classifier.Classify([byPolice], Facts(channel: "Police")).Priority);
        Assert.Equal(Classifier.NoRuleMatchedCode, Classifier.Classify([byPolice], Facts(channel: "WalkIn")).Fired[0].Code);
    }

    private static Dictionary<string, string[]> Errors(Func<List<ClassificationRule>, List<ClassificationRule>> change) =>
        RuleSetValidation.Validate(new PublishRulesRequest("test", change([.. Defaults])));

    [Fact]
    public void A_rule_set_with_an_unknown_priority_is_refused_naming_the_rule_and_field()
    {
        var errors = Errors(rules => { rules[2] = rules[2] with { Priority = "asap" }; return rules; });

        Assert.Equal(["rules[2].priority"], errors.Keys);
        Assert.Contains("urgent, high, normal", errors["rules[2].priority"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_referral_without_where_to_or_how_urgent_is_refused()
    {
        var errors = Errors(rules => { rules[1] = rules[1] with { ReferTo = null, Priority = null }; return rules; });

        Assert.Equal(["rules[1].priority", "rules[1].referTo"], errors.Keys.Order());
    }

    [Fact]
    public void Relief_at_the_point_that_names_a_station_is_refused()
    {
        var errors = Errors(rules => { rules[0] = rules[0] with { ReferTo = "relief_station" }; return rules; });

        Assert.Equal(["rules[0].referTo"], errors.Keys);
    }

    [Fact]
    public void An_unknown_code_deep_in_a_condition_is_named_by_its_path()
    {
        var errors = Errors(rules =>
        {
            rules[4] = rules[4] with
            {
                When = new RuleCondition { Any = [new RuleCondition { AgeAtLeast = 60 }, new RuleCondition { SituationsAny = ["old"] }] },
            };
            return rules;
        });

        Assert.Equal(["rules[4].when.any[1].situationsAny"], errors.Keys);
        Assert.Contains("'old'", errors["rules[4].when.any[1].situationsAny"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void Codes_used_twice_a_reserved_code_an_empty_condition_and_an_unknown_placeholder_are_each_refused()
    {
        var errors = Errors(rules =>
        {
            rules[1] = rules[1] with { Code = rules[0].Code };
            rules[2] = rules[2] with { Code = Classifier.NoRuleMatchedCode };
            rules[3] = rules[3] with { When = new RuleCondition() };
            rules[4] = rules[4] with { ExplanationEn = "aged {years}" };
            return rules;
        });

        Assert.Equal(["rules[1].code", "rules[2].code", "rules[3].when", "rules[4].explanationEn"], errors.Keys.Order());
    }

    [Fact]
    public void A_rule_set_needs_a_rule_and_each_rule_its_explanations_and_decision()
    {
        Assert.Equal(["rules"], RuleSetValidation.Validate(new PublishRulesRequest(null, [])).Keys);
        var errors = RuleSetValidation.Validate(new PublishRulesRequest(null, [new ClassificationRule { Code = "x1", When = new() { AgeBelow = 5 } }, null]));

        Assert.Equal(["rules[0].decision", "rules[0].explanationEn", "rules[0].explanationZh", "rules[1]"], errors.Keys.Order());
    }

    [Fact]
    public void The_codes_rules_are_written_in_are_Intakes_codes()
    {
        Assert.Equal(CaseVocabulary.Situations.Order(), FactVocabulary.Situations.Keys.Order());
        Assert.Equal(CaseVocabulary.Needs.Order(), FactVocabulary.Needs.Keys.Order());
        Assert.Equal(CaseReading.IdentityStatuses.Order(), FactVocabulary.IdentityStatuses.Keys.Order());
        Assert.Equal(IdentityConfirmation.Methods.Order(), FactVocabulary.IdentityStatuses.Keys.Where(s => s != "unconfirmed").Order());
        Assert.Equal(Enum.GetNames<IntakeChannel>().Order(), FactVocabulary.Channels.Keys.Order());
    }

    [Theory]
    [InlineData("11010519491231002X", null, "110105")]
    [InlineData(null, "140821", "140821")]
    [InlineData(null, "山西省运城市新绛县", "140825")]
    [InlineData(null, "山西省运城市绛县", "140826")]
    [InlineData(null, "河南省郑州市", null)]
    [InlineData(null, null, null)]
    public void Intake_tells_the_household_county_from_the_ID_number_or_the_place_typed(string? idNumber, string? place, string? county) =>
        Assert.Equal(county, CaseFactsEndpoint.HouseholdCounty(idNumber, place));

    [Theory]
    [InlineData("2008-11-30", "2026-11-29", 17)]
    [InlineData("2008-11-29", "2026-11-29", 18)]
    [InlineData("2008-02-29", "2026-02-28", 17)]
    [InlineData("2008-02-29", "2026-03-01", 18)]
    public void Intake_counts_an_age_in_completed_years(string birth, string today, int age) =>
        Assert.Equal(age, CaseFactsEndpoint.AgeOn(DateOnly.Parse(birth, System.Globalization.CultureInfo.InvariantCulture),
            DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture)));

    // A case first referred as unidentified (high), then classified again; what happens to its open referral.
    [Theory]
    [InlineData("police_check", "Food", null, "requested", true, "withdrawn")]
    [InlineData("id_card_checked", "Food", null, "requested", true, "withdrawn")]
    [InlineData("police_check", "Food", null, "accepted", true, "differs")]
    [InlineData("police_check", "Food", null, "in_progress", true, "differs")]
    [InlineData("police_check", "Food", null, "requested", false, "differs")]       // staff sent it again, or a station passed it on
    [InlineData("police_check", "Referral", null, "requested", true, "differs")]   // staff chose a referral: it still refers, at normal
    [InlineData("not_established", "Food", null, "requested", true, null)]         // the same: high
    [InlineData("not_established", "Food", "ill_or_injured", "requested", true, "priority_raised")]
    [InlineData("not_established", "Food", "ill_or_injured", "requested", false, "priority_raised")]
    [InlineData("not_established", "Food", "ill_or_injured", "accepted", true, "differs")]
    public void A_new_decision_withdraws_or_hastens_only_a_referral_nobody_has_acted_on(
        string identity, string need, string? situation, string status, bool openedByRules, string? effect)
    {
        var outcome = Classify(Facts(identity, situations: situation is null ? ["no_fare"] : ["no_fare", situation], documentGiven: true, need: need));

        Assert.Equal(effect, OpenReferralEffect.Of(outcome, status, "high", openedByRules));
    }
}

/// <summary>The default rules exactly as the Referral migration seeds them: the JSON between its <c>$$</c> quotes.</summary>
internal static class DefaultRules
{
    public static IReadOnlyList<ClassificationRule> Load()
    {
        var assembly = typeof(ReferralApi).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith("0006_classification_rules_and_case_numbers.sql", StringComparison.Ordinal));
        using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
        var sql = reader.ReadToEnd();
        var start = sql.IndexOf("$$", StringComparison.Ordinal) + 2;
        return RuleJson.Read(sql[start..sql.IndexOf("$$", start, StringComparison.Ordinal)]);
    }
}
