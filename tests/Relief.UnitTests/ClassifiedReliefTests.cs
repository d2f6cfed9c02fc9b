using Relief.Intake.Contracts;
using Relief.Referral.Referrals;

namespace Relief.UnitTests;

public sealed class ClassifiedReliefTests
{
    [Theory]
    [InlineData(ReliefNeed.Food, false)]
    [InlineData(ReliefNeed.TravelVoucher, false)]
    [InlineData(ReliefNeed.Referral, true)]
    [InlineData(ReliefNeed.Emergency, true)]
    public void Only_needs_the_point_cannot_meet_go_to_the_relief_station(ReliefNeed need, bool referred) =>
        Assert.Equal(referred, ReferralPolicy.RequiresReferral(need));

    [Fact]
    public void A_referral_goes_to_the_relief_station_of_the_cases_county() =>
        Assert.Equal("140823", ReferralPolicy.ReceivingStationCountyFor("140823"));
}
