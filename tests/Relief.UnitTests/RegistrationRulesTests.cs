using Relief.ServiceDefaults.PersonalData;
using Relief.Intake.Cases;
using Relief.Intake.Contracts;

namespace Relief.UnitTests;

public sealed class RegistrationRulesTests
{
    private static readonly RegisterCaseRequestValidator Validator = new();

    private static RegisterCaseRequest Valid => new("YH-CC-001", "140802", IntakeChannel.WalkIn, null, null, null, ReliefNeed.Food, null);

    [Fact]
    public void A_person_who_cannot_give_details_can_still_be_registered() =>
        Assert.True(Validator.Validate(Valid).IsValid);

    [Theory]
    [InlineData("140802", true)]
    [InlineData("140882", true)]
    [InlineData("140800", false)] // the prefecture itself, not a county
    [InlineData("110105", false)] // Beijing
    [InlineData("", false)]
    public void Cases_belong_to_a_county_of_Yuncheng(string countyCode, bool valid)
    {
        var result = Validator.Validate(Valid with { CountyCode = countyCode });

        Assert.Equal(valid, result.IsValid);
        Assert.Equal(!valid, result.Errors.Any(e => e.PropertyName == nameof(RegisterCaseRequest.CountyCode)));
    }

    [Theory]
    [InlineData(-1, false)]
    [InlineData(0, true)]
    [InlineData(120, true)]
    [InlineData(121, false)]
    public void An_estimated_age_is_between_0_and_120(int age, bool valid) =>
        Assert.Equal(valid, Validator.Validate(Valid with { EstimatedAge = age }).IsValid);

    [Theory]
    [InlineData("张三丰", "张**")]
    [InlineData("李四", "李*")]
    [InlineData("王", "王*")]
    [InlineData(null, null)]
    public void Names_are_masked_for_display(string? name, string? masked) =>
        Assert.Equal(masked, PersonNameMask.Mask(name));
}
