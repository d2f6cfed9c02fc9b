using Relief.FamilySearch.Matching;
using Xunit.Abstractions;

namespace Relief.UnitTests.FamilySearch;

/// <summary>Issue 13's evaluation of matching (README, Performance), and the scorer's rules one by one.</summary>
public sealed class MatchingEvaluationTests(ITestOutputHelper output)
{
    [Fact]
    public void On_1000_noisy_notices_and_reports_the_true_match_ranks_first_and_reports_without_one_get_no_confident_candidate()
    {
        var set = MatchingEvaluation.Generate(seed: 20261130);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var figures = MatchingEvaluation.Evaluate(set);
        watch.Stop();

        output.WriteLine($"notices {set.Notices.Count}, reports {set.Reports.Count}, pairs with a true match {figures.Pairs}, reports without {figures.NoTrueNotice}");
        output.WriteLine($"true match ranked first: {figures.RankedFirst}/{figures.Pairs} = {figures.RankedFirstShare:P1} (needed ≥ 90%)");
        output.WriteLine($"reports without a true match and no candidate ≥ {MatchScorer.ConfirmationThreshold}: {figures.NoneAboveConfirmation}/{figures.NoTrueNotice} = {figures.NoneAboveConfirmationShare:P1} (needed ≥ 95%)");
        output.WriteLine($"true match at or above the proposal threshold {MatchScorer.ProposalThreshold}: {figures.TrueAboveProposal}/{figures.Pairs} = {figures.TrueAboveProposalShare:P1}");
        output.WriteLine($"candidates proposed per report: {figures.MeanCandidatesPerReport:F1}; median score of the true match: {figures.MedianTrueScore:F3}");
        output.WriteLine($"{set.Notices.Count * set.Reports.Count:N0} pairs scored in {watch.Elapsed.TotalSeconds:F2} s");

        Assert.Equal(800, figures.Pairs);
        Assert.Equal(200, figures.NoTrueNotice);
        Assert.True(figures.RankedFirstShare >= 0.90, $"true match ranked first for {figures.RankedFirstShare:P1}");
        Assert.True(figures.NoneAboveConfirmationShare >= 0.95, $"no candidate above the confirmation threshold for {figures.NoneAboveConfirmationShare:P1}");
    }

    [Fact]
    public void The_generated_set_is_the_same_for_the_same_seed()
    {
        var first = MatchingEvaluation.Generate(seed: 7, notices: 50, withoutCounterpart: 10);
        var second = MatchingEvaluation.Generate(seed: 7, notices: 50, withoutCounterpart: 10);
        Assert.Equal(first.Notices.Select(n => (n.Sex, n.AgeLow, n.Features, n.FoundCounty)), second.Notices.Select(n => (n.Sex, n.AgeLow, n.Features, n.FoundCounty)));
        Assert.Equal(first.Reports.Select(r => (r.Name, r.AgeThen, r.Features)), second.Reports.Select(r => (r.Name, r.AgeThen, r.Features)));
    }

    private static readonly DateOnly Today = new(2026, 11, 30);

    private static NoticeTraits Notice(string sex = "male", int? ageLow = 65, int? ageHigh = 75, DateOnly? foundOn = null, string? features = "左眉有痣，门牙缺失") =>
        new(Guid.NewGuid(), sex, ageLow, ageHigh, 168, foundOn ?? new DateOnly(2026, 11, 1), "140802", "山西口音", null, features, "蓝色上衣", "运城火车站");

    private static ReportTraits Report(string sex = "male", int ageThen = 40, int lastSeenYear = 1996, string? features = "左边眉毛上有颗痣，缺了颗门牙") =>
        new(Guid.NewGuid(), sex, ageThen, lastSeenYear, null, 170, "140821", "山西话", "王建国", features, "黑裤子", "临猗县城");

    [Fact]
    public void A_known_sex_that_differs_rules_the_pair_out_and_an_unknown_one_does_not()
    {
        Assert.Null(MatchScorer.Score(Notice(sex: "female"), Report(), Today));
        Assert.NotNull(MatchScorer.Score(Notice(sex: "unknown"), Report(), Today));
    }

    [Fact]
    public void A_person_found_before_they_were_last_seen_is_not_the_one_sought()
    {
        Assert.Null(MatchScorer.Score(Notice(foundOn: new DateOnly(1995, 6, 1)), Report(lastSeenYear: 1996), Today));
    }

    [Fact]
    public void The_age_is_compared_as_it_would_be_when_found_after_the_years_since()
    {
        // 40 in 1996 → 70 in 2026: inside the notice's 65–75, and ruled out against 25–35.
        var matching = MatchScorer.Score(Notice(), Report(), Today)!;
        Assert.Contains("age", matching.Reasons);
        Assert.Null(MatchScorer.Score(Notice(ageLow: 25, ageHigh: 35), Report(), Today));
    }

    [Fact]
    public void Reworded_features_score_above_unrelated_ones()
    {
        var reworded = MatchScorer.Score(Notice(), Report(), Today)!;
        var unrelated = MatchScorer.Score(Notice(features: "驼背，右耳缺一块"), Report(), Today)!;
        Assert.Contains("features", reworded.Reasons);
        Assert.DoesNotContain("features", unrelated.Reasons);
        Assert.True(reworded.Score > unrelated.Score, $"{reworded.Score} > {unrelated.Score}");
    }

    [Fact]
    public void Region_and_accent_agree_across_a_prefecture_and_a_reworded_accent()
    {
        var score = MatchScorer.Score(Notice(), Report(), Today)!;
        Assert.Contains("region", score.Reasons);
        Assert.Contains("accent", score.Reasons);
        Assert.Contains("sex", score.Reasons);
        Assert.Contains("dates", score.Reasons);
    }
}
